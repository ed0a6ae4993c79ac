package dev.stampede.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A stand-in for systemd's notification socket: a unix datagram socket, bound by a python3 child
 * (Java 17 has no AF_UNIX datagram sockets), whose messages come back as fields
 * ({@code READY=1}, {@code STATUS=...}, {@code MAINPID=...}), all of one datagram at once. Tests
 * that need it are skipped where python3 is missing.
 */
public final class FakeNotifySocket implements AutoCloseable {
    private static final String SCRIPT = String.join("\n",
            "import socket, sys",
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
            "s.bind(sys.argv[1])",
            "print('bound', flush=True)",
            "while True:",
            "    print(s.recv(65536).decode('utf-8', 'replace').rstrip('\\n').replace('\\n', '\\x1f'), flush=True)");

    private final Path path;
    private final Process python;
    private final List<String> fields = Collections.synchronizedList(new ArrayList<>());

    private FakeNotifySocket(Path path, Process python) {
        this.path = path;
        this.python = python;
    }

    /** Binds a socket at {@code dir/notify.sock}; skips the test (an assumption) without python3. */
    public static FakeNotifySocket bind(Path dir) throws IOException {
        Assumptions.assumeTrue(onPath("python3"), "python3 is needed for a fake NOTIFY_SOCKET");
        final Path path = dir.resolve("notify.sock");
        final Process p = new ProcessBuilder("python3", "-c", SCRIPT, path.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final FakeNotifySocket s = new FakeNotifySocket(path, p);
        final Thread reader = new Thread(s::read, "fake-notify-socket");
        reader.setDaemon(true);
        reader.start();
        Await.until("the fake notify socket bound", Duration.ofSeconds(20), () -> s.fields().contains("bound")
                || !p.isAlive());
        if (!p.isAlive()) {
            throw new IOException("python3 could not bind " + path);
        }
        return s;
    }

    /** Whether {@code command} is an executable on the PATH. */
    public static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    /** The value for {@code NOTIFY_SOCKET}. */
    public String path() {
        return path.toString();
    }

    /** Every field received so far (and "bound", first). */
    public List<String> fields() {
        synchronized (fields) {
            return new ArrayList<>(fields);
        }
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                // One line per datagram, its fields joined by US (0x1f): added at once, so that a
                // reader who sees READY=1 also sees the STATUS and MAINPID sent with it.
                fields.addAll(List.of(line.split("\u001f", -1)));
            }
        } catch (IOException ignored) {
            // python is gone
        }
    }

    @Override
    public void close() throws IOException {
        python.destroyForcibly();
        Files.deleteIfExists(path);
    }
}
