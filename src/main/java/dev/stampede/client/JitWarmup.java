package dev.stampede.client;

import dev.stampede.runtime.AgentRunner;
import dev.stampede.runtime.ErrorPolicy;
import dev.stampede.runtime.IdleStrategy;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

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
    private static final long SENDING_MS = 400;
    private static final long INTERVAL_MS = 1;
    private static final long CONNECT_ALLOWANCE_MS = 50;
    private static final long MS = 1_000_000L;
    private static final long SETTLE_MAX_NS = 1_500 * MS;
    private static final long SETTLE_POLL_MS = 20;

    private JitWarmup() {}

    /** Whether a client with {@code config} is fast enough to need a warm-up. */
    static boolean worthIt(ClientConfig config) {
        return config.connections() * 1_000L / config.intervalMs() >= MIN_RATE_PER_S;
    }

    /**
     * A loop's warm-up: gets the send path compiled before the first real send is due
     * ({@link #run}), then waits (at most {@value #SETTLE_MAX_NS} ns, handling the loop's socket
     * events) until the JIT has finished the compilations it started: compiler threads still
     * running when the first sends are due take the cores from the loop.
     *
     * @param stopped whether the loop was asked to stop (then it waits no more)
     * @return how long it took, in milliseconds
     * @throws IOException if the loop's selector fails
     */
    static long warmUpAndSettle(ClientConfig config, Selector selector, Consumer<SelectionKey> onReady,
            BooleanSupplier stopped, Consumer<String> log) throws IOException {
        final long t0 = System.nanoTime();
        try {
            run(config);
        } catch (IOException | RuntimeException e) {
            // Only an optimization: without it the first second is merely later than it could be.
            log.accept("client: JIT warm-up skipped: " + e);
        }
        final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit != null && jit.isCompilationTimeMonitoringSupported()) {
            long before = -1;
            for (long now = System.nanoTime(); now - t0 < SETTLE_MAX_NS && !stopped.getAsBoolean();
                    now = System.nanoTime()) {
                final long compiledMs = jit.getTotalCompilationTime();
                if (compiledMs == before) {
                    break;
                }
                before = compiledMs;
                selector.select(onReady, SETTLE_POLL_MS);
            }
        }
        return (System.nanoTime() - t0) / MS;
    }

    /**
     * Runs the scratch loop for {@value #SENDING_MS} ms of sends (plus connecting), then stops it.
     *
     * <p>Why a stop request rather than a {@code --duration}: C2 compiles a branch that the
     * profile never saw taken as a trap, and the first time it is taken the compiled code is
     * thrown away and the loop runs slower code until it is compiled again. A scratch schedule
     * that ends takes the schedule's end, in the very code the real loop then runs
     * ({@code ClientLoop.doWork}): that cost the real loop 200-400 ms of its first second
     * ({@code -XX:+LogCompilation}). A stop request ends the loop outside it. Two other such branches
     * are first taken in the real run (a connection's first value; housekeeping overdue while a
     * send is due); a second, overloaded pass that took them cost more CPU than it saved
     * (docs/PERFORMANCE.md, "The client: two loops at 100,000 sends a second").
     *
     * @throws IOException if no loopback listener or selector can be opened
     */
    static void run(ClientConfig config) throws IOException {
        try (ServerSocketChannel sink = ServerSocketChannel.open()) {
            sink.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), CONNECTIONS);
            final ClientConfig scratch = ClientConfig.builder().server((InetSocketAddress) sink.getLocalAddress())
                    .connections(CONNECTIONS).intervalMs(INTERVAL_MS).durationMs(0)
                    .replayMs(config.replayMs() > 0 ? 1_000 : 0).statsIntervalMs(0).build();
            final ClientLoops alone = new ClientLoops(1, CONNECTIONS, System.nanoTime(), System.currentTimeMillis(),
                    1_000_000_000L, false, LatenessRecorder.highestUs(scratch), null, null, line -> { });
            final AgentRunner runner = new AgentRunner(
                    new ClientLoop(scratch, 0, alone, Selector.open(), line -> { }, false),
                    IdleStrategy.NONE, ErrorPolicy.logging(line -> { }), "stampede-client-warm-up");
            runner.start();
            boolean interrupted = false;
            try {
                runner.awaitTermination(CONNECT_ALLOWANCE_MS + SENDING_MS); // it never ends by itself
            } catch (InterruptedException e) {
                interrupted = true;
            }
            runner.stop();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
