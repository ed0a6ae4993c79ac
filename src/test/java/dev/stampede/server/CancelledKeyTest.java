package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.stats.ServerStats;
import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection evicted while its own readiness waits in the same select pass: the accept that
 * evicts it comes first in the pass (the newcomer became ready first), and the pass still holds
 * the evicted connection's event. The loop must skip it, not fail on it.
 *
 * <p>On JDK 17's epoll selector this passes even without the loop's {@code isValid()} check: a
 * connection's close cancels its key <em>and closes its channel</em>, and the selector drops the
 * events of a closed channel. A key cancelled with its channel left open is delivered, cancelled,
 * in the same pass ({@link ReadyKeyTest} drives that case): that is what the check guards.
 *
 * <p>Deterministic: the loop is held inside its stats line (the log) while the newcomer connects
 * and then the silent connection sends a byte, each seen in the kernel's socket tables before the
 * next step; released, the loop's next poll returns both, in that order (epoll's ready list is in
 * order of arrival).
 */
@Timeout(60)
class CancelledKeyTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @Test
    void aKeyCancelledByAnEvictionEarlierInTheSamePassDoesNotStopTheLoop() throws Exception {
        final AtomicBoolean hold = new AtomicBoolean();
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        try (ServerHarness server = ServerHarness.with().maxConnections(1).idleTimeoutMs(50).silentTimeoutMs(0)
                .statsIntervalMs(10).logTo(line -> {
                    if (Thread.currentThread().getName().startsWith("stampede-server-loop")
                            && hold.compareAndSet(true, false)) {
                        held.countDown();
                        try {
                            release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }).start(dir);
                LineClient silent = server.connect()) {
            Await.until("connected", WAIT, () -> server.stats().connectionsOpen() == 1);
            // Silent for the idle timeout well before the loop's last poll: evictable then.
            Thread.sleep(300);
            hold.set(true);
            assertThat(held.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).as("the loop held in its log").isTrue();
            try (LineClient newcomer = server.connect()) {
                Await.until("the newcomer in the accept queue", WAIT, () -> listenQueue(server.port()) > 0);
                silent.sendRaw("1"); // a fragment: the connection stays silent (no valid timestamp)
                Await.until("the fragment in its socket", WAIT, () -> unreadBytes(server.port()) > 0);
                release.countDown();
                assertThat(silent.readLine()).isEqualTo("ERR 0 server full and this connection the longest silent; closing");
                final long t = ServerHarness.aSecondAgo();
                newcomer.send(t);
                newcomer.shutdownOutput();
                Await.until("the newcomer's value written", WAIT, () -> server.written().contains(t));
                assertThat(server.isRunning()).as("the loop still runs; log: %s", server.log).isTrue();
                final ServerStats stats = server.stop();
                assertThat(stats.evicted()).isEqualTo(1);
                assertThat(server.log).noneMatch(line -> line.contains("failed"));
            }
        }
    }

    /** Connections waiting in the accept queue of the socket listening on {@code port} (Linux). */
    private static long listenQueue(int port) {
        return sumRxQueue(port, "0A");
    }

    /** Bytes received and not yet read by the server's connected sockets on {@code port} (Linux). */
    private static long unreadBytes(int port) {
        return sumRxQueue(port, "01");
    }

    /**
     * /proc/net/tcp and tcp6 (Java's sockets are IPv6 ones, even on 127.0.0.1): local address,
     * state, and tx:rx queues of every socket.
     */
    private static long sumRxQueue(int port, String state) {
        final String local = String.format(":%04X", port);
        long sum = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                final List<String> lines = Files.readAllLines(Path.of(table));
                for (String line : lines.subList(1, lines.size())) {
                    final String[] f = line.trim().split("\\s+");
                    if (f[1].endsWith(local) && f[3].equals(state)) {
                        sum += Long.parseLong(f[4].substring(f[4].indexOf(':') + 1), 16);
                    }
                }
            } catch (IOException e) {
                // no such table (no IPv6): the other one has the sockets
            }
        }
        return sum;
    }
}
