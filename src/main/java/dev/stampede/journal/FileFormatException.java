package dev.stampede.journal;

import java.io.IOException;

/** A file the store was asked to append to is not in the timestamp-per-line format: refused. */
public final class FileFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** With a message that names the file, the place and what to do. */
    public FileFormatException(String message) {
        super(message);
    }
}
