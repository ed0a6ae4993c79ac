package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.engine.OrderedSink;
import dev.stampede.engine.OrderingEngine;
import dev.stampede.protocol.LineDecoder;
import dev.stampede.protocol.SkewCheck;
import dev.stampede.store.FsyncPolicy;
import dev.stampede.testing.Await;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK's selector hands a pass's ready keys to the loop one by one; a key cancelled earlier in
 * the same pass (its channel left open) is still handed over, cancelled. The loop must skip it:
 * {@code readyOps()} on it throws {@code CancelledKeyException}, which would end the loop.
 * Deterministic: the loop's ready handler is driven on the test's thread, its runner never started.
 */
@Timeout(30)
class ReadyKeyTest {
    @TempDir
    Path dir;

    @Test
    void aKeyCancelledEarlierInTheSamePassIsSkipped() throws Exception {
        final ServerConfig config = ServerConfig.builder()
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .output(dir.resolve("t.txt"))
                .idleTimeoutMs(200)
                .maxDelayMs(5_000)
                .maxSkewMs(300_000)
                .startupGraceMs(0)
                .maxConnections(10)
                .readBatchMs(0)
                .flushIntervalMs(5)
                .statsIntervalMs(0)
                .fsync(FsyncPolicy.NEVER)
                .fsyncIntervalMs(1_000)
                .silentTimeoutMs(0)
                .build();
        final OrderingEngine engine = new OrderingEngine(config.engine(), new OrderedSink() {
            @Override
            public void onFinal(long value, int copies) {
            }

            @Override
            public void onLate(long value) {
            }
        });
        try (Selector selector = Selector.open();
                ServerSocketChannel listener = ServerSocketChannel.open()) {
            listener.bind(new InetSocketAddress("127.0.0.1", 0));
            final EventLoop loop = new EventLoop(config, 0, new LoopPeers(1), selector, null, engine, new NoOutput(),
                    line -> { }, false);
            final List<Socket> clients = new ArrayList<>();
            final List<SelectionKey> keys = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    final Socket client = new Socket("127.0.0.1", listener.socket().getLocalPort());
                    clients.add(client);
                    final SocketChannel ch = listener.accept();
                    ch.configureBlocking(false);
                    final Connection c = new Connection(loop, ch, new LineDecoder(new SkewCheck(300_000)),
                            engine.addSource(0), null);
                    final SelectionKey key = ch.register(selector, SelectionKey.OP_READ, c);
                    c.attach(key);
                    keys.add(key);
                    client.getOutputStream().write("12".getBytes(StandardCharsets.US_ASCII));
                }
                Await.until("both readable", Duration.ofSeconds(10), () -> {
                    try {
                        selector.selectNow();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    return selector.selectedKeys().size() == 2;
                });
                selector.selectedKeys().clear();
                final List<SelectionKey> handed = new ArrayList<>();
                final int ready = selector.select(key -> {
                    if (handed.isEmpty()) {
                        // The first key's handling cancels every key (the others' channels stay open).
                        keys.forEach(SelectionKey::cancel);
                    }
                    handed.add(key);
                    loop.onReady(key);
                }, 5_000);
                assertThat(handed).as("both keys handed over in the one pass").hasSize(2);
                assertThat(handed.get(1).isValid()).as("the second one cancelled by then").isFalse();
                assertThat(ready).isEqualTo(2);
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
            }
        }
    }

    /** An output that takes everything and never backs up. */
    private static final class NoOutput implements LoopOutput {
        @Override
        public boolean isBackedUp() {
            return false;
        }

        @Override
        public boolean isFailing() {
            return false;
        }

        @Override
        public String failureMessage() {
            return null;
        }

        @Override
        public long writeFailures() {
            return 0;
        }

        @Override
        public boolean hasUnwritten() {
            return false;
        }

        @Override
        public void afterPass(long nowMs, long watermark) {
        }

        @Override
        public void finish(long watermark, long timeoutMs) throws IOException {
        }

        @Override
        public long handOffSeq() {
            return 0;
        }

        @Override
        public long durableSeq() {
            return 0;
        }

        @Override
        public long durableWatermark() {
            return Long.MIN_VALUE;
        }
    }
}
