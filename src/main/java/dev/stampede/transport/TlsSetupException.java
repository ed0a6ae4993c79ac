package dev.stampede.transport;

/**
 * A TLS option cannot be used: a missing or unreadable file, a key in a format we do not read, a
 * key that does not match its certificate. The message names the option and the file and says
 * what to do, for the command line to print as a usage error.
 */
public final class TlsSetupException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** @param message names the option and the file, and what to do */
    public TlsSetupException(String message) {
        super(message);
    }

    /** As {@link #TlsSetupException(String)}, keeping the cause for a stack trace. */
    public TlsSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
