package dev.stampede.journal;

import java.io.IOException;

/** Another process holds the lock on a file the store was asked to write. */
public final class FileLockedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** With a message that names the file. */
    public FileLockedException(String message) {
        super(message);
    }
}
