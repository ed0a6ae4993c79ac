package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.protocol.ErrReply;
import dev.stampede.stats.ServerStats;
import dev.stampede.testing.Await;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client that never reads its socket and sends nothing but bad lines costs the server in
 * replies (docs/PROTOCOL.md, "Server to client"). The bound is the error limit: the 10th reject
 * closes the connection, so a connection gets at most 11 replies, a few hundred bytes that the
 * sockets' own buffers take; the connection's reply backlog and its dropped-reply count stay
 * unused.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReplyBoundTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Stop sending after this much even if the server never closes (it must, long before). */
    private static final long SEND_CAP_BYTES = 8L << 20;

    @TempDir
    Path dir;

    @Test
    void aClientThatNeverReadsAndSendsEndlessBadLinesGetsAtMostElevenReplies() throws Exception {
        final byte[] badLines = "x\n".repeat(512).getBytes(StandardCharsets.US_ASCII);
        try (ServerHarness server = ServerHarness.with().start(dir);
                Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5_000);
            s.setSoTimeout(5_000);
            final OutputStream out = s.getOutputStream();
            long sent = 0;
            boolean refused = false;
            final long deadline = System.nanoTime() + WAIT.toNanos();
            // Send without reading until the server shuts us out (our write fails).
            while (sent < SEND_CAP_BYTES && System.nanoTime() < deadline) {
                try {
                    out.write(badLines);
                    out.flush();
                    sent += badLines.length;
                } catch (IOException e) {
                    refused = true;
                    break;
                }
            }
            assertThat(refused).as("the server closed the connection (sent %d bytes)", sent).isTrue();
            Await.until("the server has closed it", WAIT, server::stats, st -> st.connectionsOpen() == 0);

            // Only now read what the server put on the socket.
            final byte[] replies = readUntilClosed(s.getInputStream());
            final List<String> lines = Arrays.asList(new String(replies, StandardCharsets.US_ASCII).split("\n"));
            assertThat(lines).hasSize(11);
            for (int i = 0; i < 10; i++) {
                assertThat(lines.get(i)).isEqualTo("ERR " + (i + 1) + " not a decimal number");
            }
            assertThat(lines.get(10)).isEqualTo("ERR 10 too many errors; closing");
            assertThat(replies.length).isLessThanOrEqualTo(11 * ErrReply.MAX_BYTES);

            final ServerStats stats = server.stop();
            assertThat(stats.invalid()).as("nothing after the 10th bad line is decoded").isEqualTo(10);
            assertThat(stats.repliesDropped()).isZero();
            assertThat(stats.summaryLine()).contains(" replies_dropped=0 ");
        }
    }

    /** Every byte until end of stream; a reset after the replies also ends it. */
    private static byte[] readUntilClosed(InputStream in) throws IOException {
        final ByteArrayOutputStream all = new ByteArrayOutputStream();
        final byte[] chunk = new byte[4096];
        try {
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                all.write(chunk, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server did not close the connection", e);
        } catch (IOException e) {
            // Connection reset: the server closed with our unread bad lines in its buffer.
        }
        return all.toByteArray();
    }
}
