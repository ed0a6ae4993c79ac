package dev.stampede.testing;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Apache Kafka broker for a test: {@link DevBroker} (KRaft, one node that is broker and
 * controller, PLAINTEXT on {@code 127.0.0.1}) in a child JVM, so that a test can stop it and start it
 * again, or lose it.
 *
 * <p>The contract:
 * <ul>
 * <li>{@link #start(Path)} picks two free loopback ports (clients', controller's), starts the child
 *     ({@code java} of {@code java.home}, this JVM's {@code java.class.path}, {@value #HEAP},
 *     {@code -XX:+UseSerialGC}) on {@code dataDir} and returns once the broker says it is ready, that
 *     is once an Admin client in the child has seen it in {@code describeCluster}: clients can connect
 *     at once. It waits at most {@value #START_TIMEOUT_S} s; if the child dies or does not get ready by
 *     then it is killed and {@code start} throws an {@link IOException} carrying the tail of its log.</li>
 * <li>The child's stdout and stderr go to {@link #logFile()} ({@code dataDir/broker.log}, appended
 *     to across restarts), never to the test's console; {@link #logTail(int)} gives its end for a
 *     failure message. The broker's data is in {@code dataDir/logs}.</li>
 * <li>{@link #stop()} sends SIGTERM (a clean shutdown), waits at most {@value #STOP_TIMEOUT_S} s, then
 *     kills it (SIGKILL). Stopping a stopped broker does nothing.</li>
 * <li>{@link #restart()} stops the broker if it runs and starts it again on the same ports and the
 *     same data: topics and their records survive, and clients created before (which keep
 *     reconnecting to the same address) carry on.</li>
 * <li>{@link #close()} is {@link #stop()}. No child outlives the test JVM: a shutdown hook stops it if
 *     the test forgets to (or the JVM exits), and the child itself shuts down when its parent
 *     exits, even by SIGKILL ({@code --exit-with-parent}).</li>
 * </ul>
 * Not thread-safe beyond this: {@link #stop()}, {@link #restart()} and {@link #close()} are
 * synchronized; {@link #bootstrap()} never changes.
 */
public final class KafkaBroker implements AutoCloseable {
    /** The child's heap: Kafka with small segments and buffers needs little. */
    public static final String HEAP = "-Xmx512m";
    static final int START_TIMEOUT_S = 60;
    static final int STOP_TIMEOUT_S = 30;
    private static final int START_ATTEMPTS = 3;

    private final Path dataDir;
    private final Path logFile;
    private final int port;
    private final int controllerPort;
    private Process process;
    private Thread hook;

    private KafkaBroker(Path dataDir, int port, int controllerPort) {
        this.dataDir = dataDir;
        this.logFile = dataDir.resolve("broker.log");
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /**
     * Starts a broker on {@code dataDir} (created if missing; a directory a broker used before keeps
     * its topics) on free loopback ports, and returns once clients can connect.
     *
     * @throws IOException if it cannot start within {@value #START_TIMEOUT_S} s (with its log's tail)
     */
    public static KafkaBroker start(Path dataDir) throws IOException {
        Files.createDirectories(dataDir);
        IOException failure = null;
        // A free port is free when picked, not always when the child binds it: try other ports then.
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            final KafkaBroker broker = new KafkaBroker(dataDir.toAbsolutePath(), DevBroker.freePort(), DevBroker.freePort());
            if (broker.port == broker.controllerPort) {
                continue;
            }
            try {
                broker.launch();
                return broker;
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
                if (!String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw failure;
                }
            }
        }
        throw failure != null ? failure : new IOException("no two distinct free ports");
    }

    /** {@code 127.0.0.1:PORT}: the bootstrap servers for a client (the same across restarts). */
    public String bootstrap() {
        return DevBroker.HOST + ":" + port;
    }

    /** The port of the PLAINTEXT listener. */
    public int port() {
        return port;
    }

    /** The directory given to {@link #start(Path)}. */
    public Path dataDir() {
        return dataDir;
    }

    /** The child's stdout and stderr, over every (re)start. */
    public Path logFile() {
        return logFile;
    }

    /** Whether the child is running (it may still be starting or stopping). */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the broker: SIGTERM, then SIGKILL after {@value #STOP_TIMEOUT_S} s. Does nothing if stopped. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        terminate(process);
        process = null;
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs, or has run: it finds the process gone.
            }
            hook = null;
        }
    }

    /** Stops the broker if it runs and starts it again: same ports, same data. */
    public synchronized void restart() throws IOException {
        stop();
        launch();
    }

    /** {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** The last {@code lines} lines of {@link #logFile()} (for a failure message). */
    public String logTail(int lines) {
        try {
            final List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrap() + ", " + dataDir + (isRunning() ? ", running]" : ", stopped]");
    }

    private synchronized void launch() throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(HEAP, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData",
                "-cp", System.getProperty("java.class.path"),
                DevBroker.class.getName(),
                "--port", String.valueOf(port), "--controller-port", String.valueOf(controllerPort),
                "--dir", dataDir.toString(), "--exit-with-parent"));
        final long from = Files.exists(logFile) ? Files.size(logFile) : 0;
        final Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
        final Thread h = new Thread(() -> terminate(p), "kafka-broker-stop-" + p.pid());
        Runtime.getRuntime().addShutdownHook(h);
        process = p;
        hook = h;
        final String ready = DevBroker.READY + bootstrap();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_S);
        try {
            while (!logSince(from).contains(ready)) {
                if (!p.isAlive()) {
                    throw new IOException("Kafka broker exited with " + p.exitValue() + " before it was ready; "
                            + logFile + " ends:\n" + logTail(40));
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new IOException("Kafka broker not ready after " + START_TIMEOUT_S + " s; "
                            + logFile + " ends:\n" + logTail(40));
                }
                Thread.sleep(50);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            stop();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while the Kafka broker started", e);
            }
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    private String logSince(long from) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(logFile.toFile(), "r")) {
            final long length = f.length();
            if (length <= from) {
                return "";
            }
            final byte[] bytes = new byte[(int) Math.min(length - from, 1 << 20)];
            f.seek(from);
            f.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private static void terminate(Process p) {
        if (!p.isAlive()) {
            return;
        }
        p.destroy(); // SIGTERM: DevBroker shuts the broker down cleanly
        try {
            if (!p.waitFor(STOP_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
