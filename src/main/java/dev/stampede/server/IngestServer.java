package dev.stampede.server;

import dev.stampede.engine.EngineConfig;
import dev.stampede.engine.FinalMerge;
import dev.stampede.engine.OrderingEngine;
import dev.stampede.engine.Resumable;
import dev.stampede.runtime.AgentRunner;
import dev.stampede.runtime.ErrorPolicy;
import dev.stampede.runtime.IdleStrategy;
import dev.stampede.runtime.MonoClock;
import dev.stampede.stats.ServerStats;
import dev.stampede.journal.AppendChannel;
import dev.stampede.journal.DurableEnd;
import dev.stampede.journal.FileFormatException;
import dev.stampede.store.OutputStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The stampede server: listens, and runs {@code --loops} {@link EventLoop}s, each on its own thread
 * (an {@link AgentRunner}) with its share of the connections. One loop writes the output file
 * itself; several hand their ordered outputs to a {@link LoopMerge} thread that writes the one file.
 * A loop that fails says so once ({@link ErrorPolicy}: {@code "server: event loop failed: ...;
 * stopping"}), writes what it has and ends; {@link #isRunning()} then turns false, which is how the
 * command notices and exits non-zero.
 *
 * <p>{@link #start} returns once the socket listens and the files are open (an existing output
 * file is resumed: see {@link OutputStore#open}); {@link #close()} (or
 * {@link #stop()}) ends it gracefully: what the sockets hold is read, each client gets a FIN and
 * is read until it closes too (1 s at most), everything pending is written in order, the files are
 * synced. Thread-safe: any thread may stop it or read its stats.
 */
public final class IngestServer implements AutoCloseable {
    private final EventLoop[] loops;
    private final AgentRunner[] threads;
    /** The merge of several loops' outputs, and its thread; {@code null} with one loop. */
    private final LoopMerge merge;
    private final AgentRunner mergeThread;
    private final OutputStore store;
    private final Durability durability;
    private final InetSocketAddress address;
    private final ReloadableLimits limits;

    private IngestServer(EventLoop[] loops, LoopMerge merge, OutputStore store, Durability durability,
            InetSocketAddress address, ErrorPolicy errors, ReloadableLimits limits) {
        this.loops = loops;
        this.limits = limits;
        this.durability = durability;
        this.merge = merge;
        this.store = store;
        this.address = address;
        this.threads = new AgentRunner[loops.length];
        for (int i = 0; i < loops.length; i++) {
            // The loops wait in their selectors: the runner adds no pause.
            threads[i] = new AgentRunner(loops[i], IdleStrategy.NONE, errors,
                    loops.length == 1 ? "stampede-server-loop" : "stampede-server-loop-" + i);
        }
        this.mergeThread = merge == null ? null : new AgentRunner(merge, LoopMerge.IDLE, errors, "stampede-server-merge");
    }

    /**
     * Opens (or resumes) the output file, binds, and starts the event loops.
     *
     * @param log receives the server's one-line messages (stats, warnings, the summary)
     * @throws FileFormatException if the output file exists and is not stampede output
     * @throws IOException if the file cannot be opened or the address cannot be bound
     */
    public static IngestServer start(ServerConfig config, Consumer<String> log) throws IOException {
        return start(config, log, AppendChannel.FILES);
    }

    /**
     * As {@link #start(ServerConfig, Consumer)}, with the files opened through {@code opener}: the
     * seam through which tests inject disk faults.
     */
    public static IngestServer start(ServerConfig config, Consumer<String> log, AppendChannel.Opener opener)
            throws IOException {
        final EngineConfig ec = config.engine();
        final OutputStore store = OutputStore.open(config.output(), ec.keepDuplicates(), ec.historyMs(), opener,
                config.rotation());
        store.durability(config.fsync());
        final int n = config.loops();
        final List<AutoCloseable> opened = new ArrayList<>();
        opened.add(store);
        try {
            final LoopPeers peers = new LoopPeers(n);
            final Durability durability = new Durability(store, config);
            // Where the merge starts: at or below every loop engine's first watermark.
            final long mergeStart = System.currentTimeMillis() - Math.max(ec.holdLagMs(), ec.maxDelayMs()) - 1_000;
            final FinalMerge finalMerge = n == 1 ? null : new FinalMerge(ec, n, mergeStart, store);
            final LoopMerge merge = n == 1 ? null : new LoopMerge(config, store, finalMerge, n, durability, log);
            final OrderingEngine[] engines = new OrderingEngine[n];
            final LoopOutput[] outputs = new LoopOutput[n];
            for (int i = 0; i < n; i++) {
                final LoopOutlet outlet = n == 1 ? null : new LoopOutlet(i, merge);
                engines[i] = new OrderingEngine(ec, n == 1 ? store : outlet);
                outputs[i] = n == 1 ? new DirectOutput(store, config, durability, MonoClock.monoMs()) : outlet;
            }
            final List<Resumable> streams = new ArrayList<>(List.of(engines));
            if (finalMerge != null) {
                streams.add(finalMerge);
            }
            store.resume(streams.toArray(new Resumable[0]), "server", log);
            final ServerSocketChannel listener = ServerSocketChannel.open();
            opened.add(listener);
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(config.bind(), Acceptor.ACCEPT_QUEUE);
            listener.configureBlocking(false);
            peers.listener(listener);
            final EventLoop[] loops = new EventLoop[n];
            for (int i = 0; i < n; i++) {
                final Selector selector = Selector.open();
                opened.add(selector);
                if (store.restarted()) { // clients may come back to replay what a crash lost
                    engines[i].holdUntil(MonoClock.monoMs() + config.startupGraceMs());
                }
                loops[i] = new EventLoop(config, i, peers, selector, i == 0 ? listener : null, engines[i], outputs[i],
                        log, n == 1);
                peers.set(i, loops[i]);
                if (merge != null) {
                    merge.setLoop(i, loops[i]);
                }
            }
            // The command polls isRunning(): the policy only says why a loop ended.
            final IngestServer server = new IngestServer(loops, merge, store, durability,
                    (InetSocketAddress) listener.getLocalAddress(), ErrorPolicy.logging(log), peers.limits(config));
            if (server.mergeThread != null) {
                server.mergeThread.start();
            }
            for (AgentRunner t : server.threads) {
                t.start();
            }
            return server;
        } catch (IOException | RuntimeException e) {
            closeAll(opened.toArray(new AutoCloseable[0]));
            throw e;
        }
    }

    /** The settings a reload may change while it runs (max connections, silent timeout). */
    public ReloadableLimits limits() {
        return limits;
    }

    /** The address it listens on (with the real port when 0 was asked). */
    public InetSocketAddress address() {
        return address;
    }

    /** The port it listens on. */
    public int port() {
        return address.getPort();
    }

    /**
     * With {@code --kafka} ({@link ServerConfig#publishes()}): acknowledgements wait until values
     * are also in the node's partition; every value below {@code publishedWatermark} is, and the
     * late file up to {@code publishedLateBytes} bytes (both read from any thread).
     */
    public void acknowledgeWhenPublished(LongSupplier publishedWatermark, LongSupplier publishedLateBytes) {
        durability.boundByPublication(publishedWatermark, publishedLateBytes);
    }

    /**
     * How much of the output file is durable (fsynced per {@code --fsync}; written, with
     * {@code --fsync never}): what a publisher may publish. Any thread.
     */
    public DurableEnd durableOutput() {
        return store.output().durableEnd();
    }

    /** As {@link #durableOutput()}, of the late file. */
    public DurableEnd durableLate() {
        return store.late().durableEnd();
    }

    /** Shows {@code kafka_lag_ms=} in the stats, from {@code lagMs} (read from the loop). */
    public void reportPublicationLag(LongSupplier lagMs) {
        if (merge != null) {
            merge.publishLag(lagMs);
        } else {
            loops[0].publishLag(lagMs);
        }
    }

    /**
     * Why writes to the output or late file fail now (reading is paused meanwhile), or {@code null}
     * while they succeed: for {@code /-/ready}. Any thread.
     */
    public String writeFailure() {
        final IOException e = store.lastError();
        return e == null ? null : e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** Connections read by sweep rather than found by the selector, all loops (for tests; {@link SweptReads}). */
    int sweptConnections() {
        int n = 0;
        for (EventLoop loop : loops) {
            n += loop.sweptConnections();
        }
        return n;
    }

    /** Counters as of about 100 ms ago, 200 ms at most (exact once stopped). */
    public ServerStats stats() {
        return merge != null ? merge.stats() : loops[0].stats();
    }

    /** Whether the server is still running: every loop (and the merge). */
    public boolean isRunning() {
        for (AgentRunner t : threads) {
            if (!t.isRunning()) {
                return false;
            }
        }
        return mergeThread == null || mergeThread.isRunning();
    }

    /**
     * Stops gracefully and waits for the loops (and the merge) to finish writing.
     *
     * @return the final counters
     */
    public ServerStats stop() {
        for (AgentRunner t : threads) {
            t.requestStop(); // all at once: they end in parallel
        }
        for (AgentRunner t : threads) {
            t.stop();
        }
        if (mergeThread != null) {
            awaitEnd(mergeThread); // never asked to stop: it ends by itself once every loop has
        }
        return stats();
    }

    /** Waits until the server ends by itself or {@code timeoutMs} passes; true if it ended. */
    public boolean awaitTermination(long timeoutMs) throws InterruptedException {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        for (AgentRunner t : threads) {
            if (!t.awaitTermination(Math.max(0, (deadline - System.nanoTime()) / 1_000_000))) {
                return false;
            }
        }
        return mergeThread == null
                || mergeThread.awaitTermination(Math.max(0, (deadline - System.nanoTime()) / 1_000_000));
    }

    /**
     * Ends the process at once with {@code status}, but never in the middle of a file write, so
     * no torn line is left (waits at most 2 s for a write in progress to each file, the output and
     * the late file). For a second signal.
     */
    public void haltBetweenWrites(int status) {
        store.runBetweenWrites(() -> Runtime.getRuntime().halt(status), 2_000);
    }

    @Override
    public void close() {
        stop();
    }

    /** Waits until {@code runner} has ended, however long; an interrupt is kept for the caller. */
    private static void awaitEnd(AgentRunner runner) {
        boolean interrupted = false;
        while (runner.isRunning()) {
            try {
                runner.awaitTermination(Long.MAX_VALUE / 2);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            if (r != null) {
                try {
                    r.close();
                } catch (Exception ignored) {
                    // Already failing: the first error is the one reported.
                }
            }
        }
    }
}
