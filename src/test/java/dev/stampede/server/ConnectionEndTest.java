package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.stats.ServerStats;
import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How a connection ends decides what happens to a final line without {@code \n}
 * (docs/PROTOCOL.md, "Client to server"): at an orderly end (FIN) it counts like any other line;
 * a fragment cut by a reset (RST) is dropped, neither written nor rejected, while the
 * connection's complete lines are kept. A stop ends connections with a FIN and reads on, so that a
 * line a client sends before it notices is written, not lost to a reset.
 */
@Timeout(60)
class ConnectionEndTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    /**
     * @param fragment {@code "value"}: a whole valid timestamp (written if it were taken as a line);
     *     {@code "digits"}: its first five digits (rejected, so counted invalid, if it were)
     */
    @ParameterizedTest
    @ValueSource(strings = {"value", "digits"})
    void aFragmentCutByAResetIsDroppedAndTheCompleteLinesKept(String fragment) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        final String cut = fragment.equals("value") ? String.valueOf(t + 2) : String.valueOf(t + 2).substring(0, 5);
        try (ServerHarness server = ServerHarness.with().start(dir);
                Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            s.setTcpNoDelay(true);
            final OutputStream out = s.getOutputStream();
            out.write((t + "\n" + (t + 1) + "\n" + cut).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The server has read the segment (lines and fragment): the reset cannot overtake it.
            Await.until("the two lines received", WAIT, server::stats, st -> st.msgs() == 2);
            s.setSoLinger(true, 0);
            s.close(); // RST, not FIN
            Await.until("the reset connection closed", WAIT, server::stats, st -> st.connectionsOpen() == 0);
            final ServerStats stats = server.stop();
            assertThat(server.written()).containsExactly(t, t + 1);
            assertThat(stats.msgs()).as("the fragment is not a value").isEqualTo(2);
            assertThat(stats.invalid()).as("the fragment is not a rejected line either").isZero();
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void atAnOrderlyEndTheSameFragmentIsALineAndIsRejected(int loops) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        final String digits = String.valueOf(t + 2).substring(0, 5);
        try (ServerHarness server = ServerHarness.with().loops(loops).start(dir);
                LineClient c = server.connect()) {
            c.sendRaw(t + "\n" + (t + 1) + "\n" + digits);
            c.shutdownOutput(); // FIN
            assertThat(c.readLine()).isEqualTo("ERR 3 too far from server time (see --max-skew)");
            Await.until("both values written", WAIT, () -> server.written().size() == 2);
            final ServerStats stats = server.stop();
            assertThat(server.written()).containsExactly(t, t + 1);
            assertThat(stats.msgs()).isEqualTo(2);
            assertThat(stats.invalid()).isEqualTo(1);
        }
    }

    /**
     * A stop sends each client a FIN and reads on until the client closes its side (or for
     * {@link EventLoop#SHUTDOWN_LINGER_MS}): a line sent after the server's last read of the
     * connection, before the client saw the FIN, is written. Closed at once, the socket would have
     * answered it with a reset, and its replay would be late at the restarted server.
     */
    @ParameterizedTest(name = "loops={0}, client closes={1}")
    @CsvSource({"1, true", "2, true", "1, false"})
    void aLineSentBeforeTheClientSeesTheStopIsWritten(int loops, boolean clientCloses) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        try (ServerHarness server = ServerHarness.with().loops(loops).start(dir);
                LineClient c = server.connect()) {
            c.send(t);
            Await.until("the first value received", WAIT, server::stats, st -> st.msgs() == 1);
            final CompletableFuture<ServerStats> stop = CompletableFuture.supplyAsync(server::stop);
            assertThat(c.readLine()).as("the server's FIN").isNull();
            c.send(t + 1);
            if (clientCloses) {
                c.shutdownOutput();
            }
            final ServerStats stats = stop.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(server.written()).containsExactly(t, t + 1);
            assertThat(stats.msgs()).isEqualTo(2);
            assertThat(server.late()).isEmpty();
        }
    }
}
