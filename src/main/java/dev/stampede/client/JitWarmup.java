package dev.stampede.client;

import dev.stampede.runtime.AgentRunner;
import dev.stampede.runtime.ErrorPolicy;
import dev.stampede.runtime.IdleStrategy;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.List;

/**
 * Runs the client's own send path for a moment before the real schedule, so that the JIT has
 * compiled it, with realistic profiles, before the first real send is due.
 *
 * <p>Why: at tens of thousands of sends a second the loop has a few microseconds per send. Code
 * that is still interpreted, or compiled from a profile that real sends then contradict (a
 * deoptimization), is several times slower, and on a small machine the compiler threads also take
 * the cores: the loop then starts tens of milliseconds behind. A synthetic warm-up of the pure
 * parts is not enough (its profiles differ, and the compiled code is thrown away at the first
 * real send), so this runs a scratch {@link ClientLoop}, the very same code, over a few loopback
 * connections to a listener of its own that is never read: the kernel's socket buffers take the
 * few kilobytes each connection sends, and everything is closed afterwards.
 *
 * <p>Only worth it when the send rate is high; skipped below {@value #MIN_RATE_PER_S} sends/s.
 * The scratch loop runs on an {@link AgentRunner} of its own, as the real loops do (so the runner's
 * loop is compiled too), and the calling thread (the client's loop thread, before it connects)
 * waits for it. Stateless.
 */
final class JitWarmup {
    /** Below this configured send rate the loop has time to spare while the JIT catches up. */
    static final long MIN_RATE_PER_S = 10_000;

    private static final int CONNECTIONS = 64;
    private static final long INTERVAL_MS = 1;
    private static final long DURATION_MS = 400;

    private JitWarmup() {}

    /** Whether a client with {@code config} is fast enough to need a warm-up. */
    static boolean worthIt(ClientConfig config) {
        return config.connections() * 1_000L / config.intervalMs() >= MIN_RATE_PER_S;
    }

    /**
     * Runs the scratch loop to its end ({@value #DURATION_MS} ms of sends plus connecting).
     *
     * @throws IOException if no loopback listener or selector can be opened
     */
    static void run(ClientConfig config) throws IOException {
        try (ServerSocketChannel sink = ServerSocketChannel.open()) {
            sink.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), CONNECTIONS);
            final ClientConfig scratch = new ClientConfig((InetSocketAddress) sink.getLocalAddress(), CONNECTIONS,
                    INTERVAL_MS, DURATION_MS, Phase.SPREAD, config.replayMs() > 0 ? 1_000 : 0, null, List.of(), 0);
            final ClientLoops alone = new ClientLoops(1, CONNECTIONS, System.nanoTime(), System.currentTimeMillis(),
                    1_000_000_000L, false, LatenessRecorder.highestUs(scratch), null, null, line -> { });
            final AgentRunner runner = new AgentRunner(
                    new ClientLoop(scratch, 0, alone, Selector.open(), line -> { }, false),
                    IdleStrategy.NONE, ErrorPolicy.logging(line -> { }), "stampede-client-warm-up");
            runner.start();
            try {
                runner.awaitTermination(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                runner.stop();
                Thread.currentThread().interrupt();
            }
        }
    }
}
