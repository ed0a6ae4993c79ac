package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.stats.ServerStats;
import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The reasons table of docs/PROTOCOL.md, row by row over a socket: a clear error, nothing valid
 * lost, nothing crashes.
 */
@Timeout(60)
class ServerBadInputTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "[{index}] ''{0}'' -> {1}")
    @CsvSource(delimiter = '|', value = {
        "abc                  | not a decimal number",
        "-1750000000000       | sign not allowed: digits only",
        "+1750000000000       | sign not allowed: digits only",
        "' 1750000000000'     | whitespace not allowed: digits only",
        "''                   | empty line",
        "1750000000000.5      | decimal point not allowed: integer milliseconds only",
        "1764086400,123       | decimal point not allowed: integer milliseconds only",
        "'1764086400\t123'    | whitespace not allowed: digits only",
        "12345678901234567890 | more than 19 digits",
        "9999999999999999999  | number too large (max 9223372036854775807)",
    })
    void malformedLineIsRejectedAndTheConnectionStaysOpen(String line, String reason) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        try (ServerHarness server = ServerHarness.with().start(dir);
                LineClient c = server.connect()) {
            c.send(t).sendRaw(line + "\n").send(t + 1);
            assertThat(c.readLine()).isEqualTo("ERR 2 " + reason);
            c.shutdownOutput();
            Await.until("valid values around the bad line written", WAIT, () -> server.written().size() == 2);
            assertThat(server.written()).containsExactly(t, t + 1);
            assertThat(server.stop().invalid()).isEqualTo(1);
        }
    }

    @Test
    void crlfLinesAreAccepted() throws Exception {
        final long t = ServerHarness.aSecondAgo();
        try (ServerHarness server = ServerHarness.with().start(dir);
                LineClient c = server.connect()) {
            c.sendRaw(t + "\r\n" + (t + 1) + "\r\n");
            c.shutdownOutput();
            Await.until("both written", WAIT, () -> server.written().size() == 2);
            assertThat(server.stop().invalid()).isZero();
        }
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
        "seconds      | far from server time: looks like seconds, send milliseconds",
        "microseconds | far from server time: looks like microseconds, send milliseconds",
        "nanoseconds  | far from server time: looks like nanoseconds, send milliseconds",
    })
    void valueInTheWrongUnitIsNamed(String unit, String reason) throws Exception {
        final long now = System.currentTimeMillis();
        final String value = unit.equals("seconds") ? String.valueOf(now / 1000)
                : unit.equals("microseconds") ? now + "123" : now + "123456";
        try (ServerHarness server = ServerHarness.with().start(dir);
                LineClient c = server.connect()) {
            c.sendRaw(value + "\n");
            assertThat(c.readLine()).isEqualTo("ERR 1 " + reason);
        }
    }

    @Test
    void valueFarFromTheServerClockIsRejected() throws Exception {
        final long now = System.currentTimeMillis();
        try (ServerHarness server = ServerHarness.with().start(dir);
                LineClient c = server.connect()) {
            c.send(now - 3_600_000, now);
            assertThat(c.readLine()).isEqualTo("ERR 1 too far from server time (see --max-skew)");
            c.shutdownOutput();
            // The valid line after it on the same connection is written; the rejected one is not a value.
            Await.until("the valid line after the reject written", WAIT, () -> server.written().size() == 1);
            final ServerStats stats = server.stop();
            assertThat(server.written()).containsExactly(now);
            assertThat(stats.msgs()).isEqualTo(1);
            assertThat(stats.invalid()).isEqualTo(1);
        }
    }

    @Test
    void lineLongerThan64BytesClosesTheConnectionAndKeepsEarlierLines() throws Exception {
        final long t = ServerHarness.aSecondAgo();
        try (ServerHarness server = ServerHarness.with().start(dir);
                LineClient c = server.connect()) {
            c.send(t, t + 1).sendRaw("9".repeat(100));
            assertThat(c.readLine()).isEqualTo("ERR 3 line longer than 64 bytes; closing");
            assertThat(c.awaitClosedByServer()).isTrue();
            Await.until("earlier lines written", WAIT, () -> server.written().size() == 2);
            assertThat(server.written()).containsExactly(t, t + 1);
        }
    }

    @Test
    void anHttpRequestIsClosedAfterABoundedNumberOfErrors() throws Exception {
        try (ServerHarness server = ServerHarness.with().start(dir);
                LineClient c = server.connect()) {
            final StringBuilder http = new StringBuilder("GET / HTTP/1.1\r\nHost: localhost\r\n");
            for (int i = 0; i < 20; i++) {
                http.append("X-Header-").append(i).append(": x\r\n");
            }
            c.sendRaw(http.append("\r\n").toString());
            String last = null;
            int replies = 0;
            for (String line = c.readLine(); line != null; line = c.readLine()) {
                last = line;
                replies++;
            }
            assertThat(last).isEqualTo("ERR 10 too many errors; closing");
            assertThat(replies).isEqualTo(11);
            assertThat(server.stop().invalid()).isEqualTo(10);
        }
    }

    @Test
    void binaryGarbageIsClosed() throws Exception {
        final byte[] tlsClientHello = new byte[300];
        tlsClientHello[0] = 0x16;
        tlsClientHello[1] = 0x03;
        tlsClientHello[2] = 0x01;
        for (int i = 3; i < tlsClientHello.length; i++) {
            tlsClientHello[i] = (byte) (i * 31);
        }
        try (ServerHarness server = ServerHarness.with().start(dir);
                LineClient c = server.connect()) {
            c.sendRaw(tlsClientHello);
            assertThat(c.awaitClosedByServer()).isTrue();
            Await.until("connection gone", WAIT, () -> server.stats().connectionsOpen() == 0);
        }
    }

    @Test
    void connectionsBeyondTheLimitAreRefusedAndTheOthersUnaffected() throws Exception {
        final long t = ServerHarness.aSecondAgo();
        // A long idle timeout: a and b, which have sent, cannot be evicted as silent in this test.
        try (ServerHarness server = ServerHarness.with().maxConnections(2).idleTimeoutMs(30_000).start(dir);
                LineClient a = server.connect();
                LineClient b = server.connect()) {
            a.send(t);
            b.send(t + 1);
            Await.until("two connected and heard", WAIT, () -> server.stats().msgs() == 2);
            try (LineClient c = server.connect()) {
                assertThat(c.readLine()).isEqualTo("ERR 0 server full; closing");
                assertThat(c.awaitClosedByServer()).isTrue();
            }
            a.send(t + 2);
            b.send(t + 3);
            Await.until("values of the two written", WAIT, () -> server.written().size() >= 2);
            final ServerStats stats = server.stop();
            assertThat(stats.refused()).isEqualTo(1);
            assertThat(server.written()).containsExactly(t, t + 1, t + 2, t + 3);
        }
    }

    @Test
    void aSilentConnectionDelaysOthersNoLongerThanTheIdleTimeout() throws Exception {
        final long t = ServerHarness.aSecondAgo();
        // max delay far away: only the idle timeout (200 ms) can let the values through.
        try (ServerHarness server = ServerHarness.with().idleTimeoutMs(200).maxDelayMs(600_000).start(dir);
                LineClient silent = server.connect();
                LineClient a = server.connect()) {
            Await.until("two connected", WAIT, () -> server.stats().connectionsOpen() == 2);
            a.send(t, t + 1, t + 2);
            Await.until("values written despite the silent connection", WAIT, () -> server.written().size() >= 2);
            assertThat(server.written()).startsWith(t, t + 1);
        }
    }
}
