package dev.stampede.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Free loopback ports for tests that must know a port before a process binds it (restarts). */
public final class Ports {
    private Ports() {
    }

    /** A port free on this machine right now (the OS's ephemeral choice). */
    public static int free() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
