package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.store.FsyncPolicy;
import dev.stampede.testing.LineClient;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Acknowledged delivery, the server's side (docs/PROTOCOL.md): a connection that opens with
 * {@code ACKS 1} is told {@code ACK <n>} once its lines 1..n are durable or answered, at least
 * once a second; a value that is not final yet holds its line and every later one back; a
 * connection that did not ask hears nothing.
 */
@Timeout(60)
class AcknowledgementTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void linesAreAcknowledgedOnceDurableAndTheValuesAreInTheFileByThen(int loops) throws Exception {
        try (ServerHarness server = ServerHarness.with().loops(loops).fsync(FsyncPolicy.INTERVAL).fsyncIntervalMs(200)
                .start(dir); LineClient c = server.connect()) {
            final long base = ServerHarness.aSecondAgo();
            final StringBuilder lines = new StringBuilder("ACKS 1\n");
            for (int i = 0; i < 20; i++) {
                lines.append(base + i).append('\n');
            }
            lines.append("12x\n"); // line 22: answered with ERR, done at once
            c.sendRaw(lines.toString());
            final List<String> heard = readUntil(c, "ACK 22");
            assertThat(heard).contains("ERR 22 not a decimal number");
            final List<Long> written = server.written();
            for (int i = 0; i < 20; i++) {
                assertThat(written).contains(base + i);
            }
            c.send(base + 20);
            readUntil(c, "ACK 23");
        }
    }

    @Test
    void aValueAheadOfTheClockHoldsItsLineUntilItIsFinal() throws Exception {
        try (ServerHarness server = ServerHarness.with().fsync(FsyncPolicy.INTERVAL).fsyncIntervalMs(100).start(dir);
                LineClient c = server.connect()) {
            c.sendRaw("ACKS 1\n" + ServerHarness.aSecondAgo() + "\n");
            readUntil(c, "ACK 2");
            final long ahead = System.currentTimeMillis() + 3_000;
            c.send(ahead);
            // The value 3 s ahead cannot be final for another ~3 s: its line is not acknowledged.
            final long until = System.currentTimeMillis() + 1_500;
            while (System.currentTimeMillis() < until) {
                assertThat(c.readLine()).isEqualTo("ACK 2");
            }
            readUntil(c, "ACK 3");
            assertThat(server.written()).contains(ahead);
        }
    }

    @Test
    void theSameAcknowledgementComesAgainAtLeastOnceASecond() throws Exception {
        try (ServerHarness server = ServerHarness.with().fsync(FsyncPolicy.NEVER).start(dir);
                LineClient c = server.connect()) {
            c.sendRaw("ACKS 1\n" + ServerHarness.aSecondAgo() + "\n");
            readUntil(c, "ACK 2");
            for (int i = 0; i < 3; i++) {
                assertThat(c.readLine()).as("heartbeat %d (the client's read times out after 5 s)", i)
                        .isEqualTo("ACK 2");
            }
        }
    }

    @Test
    void aConnectionThatDidNotAskHearsNothing() throws Exception {
        try (ServerHarness server = ServerHarness.with().fsync(FsyncPolicy.NEVER).start(dir);
                LineClient c = server.connect()) {
            final long v = ServerHarness.aSecondAgo();
            c.send(v, v + 1);
            // Longer than the heartbeat: an acknowledging connection would have heard something.
            c.soTimeout(2_500);
            try {
                final String line = c.readLine();
                assertThat(line).as("a line from the server").isNull();
            } catch (SocketTimeoutException expected) {
                // nothing said: right
            }
            assertThat(server.written()).contains(v, v + 1);
        }
    }

    @Test
    void theOpenerLaterThanTheFirstLineIsABadLine() throws Exception {
        try (ServerHarness server = ServerHarness.with().fsync(FsyncPolicy.NEVER).start(dir);
                LineClient c = server.connect()) {
            c.sendRaw(ServerHarness.aSecondAgo() + "\nACKS 1\n");
            assertThat(c.readLine()).isEqualTo("ERR 2 not a decimal number");
        }
    }

    /** Reads lines until {@code last}; each read fails after 5 s. Returns what came, {@code last} included. */
    private static List<String> readUntil(LineClient c, String last) throws IOException {
        final List<String> heard = new ArrayList<>();
        final long deadline = System.currentTimeMillis() + 20_000;
        while (System.currentTimeMillis() < deadline) {
            final String line = c.readLine();
            assertThat(line).as("the server closed before " + last + "; heard " + heard).isNotNull();
            heard.add(line);
            if (line.equals(last)) {
                return heard;
            }
        }
        throw new AssertionError("no " + last + " within 20 s; heard " + heard);
    }
}
