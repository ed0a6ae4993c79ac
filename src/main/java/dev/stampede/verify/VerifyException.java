package dev.stampede.verify;

import java.io.IOException;

/** A file given to verify cannot be used at all (as opposed to a violation found in it). */
public final class VerifyException extends IOException {
    private static final long serialVersionUID = 1L;

    /** With a message fit for the user. */
    public VerifyException(String message) {
        super(message);
    }
}
