package dev.stampede.server;

import dev.stampede.agent.LoopThread;
import dev.stampede.engine.EngineConfig;
import dev.stampede.engine.OrderingEngine;
import dev.stampede.stats.ServerStats;
import dev.stampede.store.AppendChannel;
import dev.stampede.store.FileFormatException;
import dev.stampede.store.OutputStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.net.StandardSocketOptions;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The stampede server: listens, and runs one {@link EventLoop} on its own thread that merges all
 * connections into the output file.
 *
 * <p>{@link #start} returns once the socket listens and the files are open (an existing output
 * file is resumed: see {@link OutputStore#open}); {@link #close()} (or
 * {@link #stop()}) ends it gracefully: what the sockets hold is read, everything pending is written
 * in order, the files are synced. Thread-safe: any thread may stop it or read its stats.
 */
public final class IngestServer implements AutoCloseable {
    private static final int BACKLOG = 4096;

    private final EventLoop loop;
    private final OutputStore store;
    private final LoopThread thread;
    private final InetSocketAddress address;

    private IngestServer(EventLoop loop, OutputStore store, InetSocketAddress address) {
        this.loop = loop;
        this.store = store;
        this.address = address;
        this.thread = new LoopThread(loop, "stampede-server-loop");
    }

    /**
     * Opens (or resumes) the output file, binds, and starts the event loop.
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
        // An existing file means a restart: clients may come back to replay what a crash lost.
        final boolean restart = Files.exists(config.output());
        final OutputStore store = OutputStore.open(config.output(), ec.keepDuplicates(), ec.historyMs(), opener,
                config.rotation());
        ServerSocketChannel listener = null;
        Selector selector = null;
        try {
            final OrderingEngine engine = new OrderingEngine(ec, store);
            store.resume(engine, "server", log);
            listener = ServerSocketChannel.open();
            listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            listener.bind(config.bind(), BACKLOG);
            listener.configureBlocking(false);
            selector = Selector.open();
            if (restart) {
                engine.holdUntil(EventLoop.monoMs() + config.startupGraceMs());
            }
            final EventLoop loop = new EventLoop(config, selector, listener, engine, store, log);
            final IngestServer server = new IngestServer(loop, store, (InetSocketAddress) listener.getLocalAddress());
            server.thread.start();
            return server;
        } catch (IOException | RuntimeException e) {
            closeAll(store, listener, selector);
            throw e;
        }
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
     * The watermark as of the last batch written to the output file: every final value below it
     * is in the file. A publisher that reads this before the file finds all it describes. Any
     * thread.
     */
    public long writtenWatermark() {
        return store.output().writtenMark();
    }

    /** Shows {@code kafka_lag_ms=} in the stats, from {@code lagMs} (read from the loop). */
    public void reportPublicationLag(LongSupplier lagMs) {
        loop.publishLag(lagMs);
    }

    /** Counters as of about 100 ms ago, 200 ms at most (exact once stopped). */
    public ServerStats stats() {
        return loop.stats();
    }

    /** Whether the event loop is still running. */
    public boolean isRunning() {
        return thread.isRunning();
    }

    /**
     * Stops gracefully and waits for the loop to finish writing.
     *
     * @return the final counters
     */
    public ServerStats stop() {
        thread.stop(loop::requestStop);
        return loop.stats();
    }

    /** Waits until the loop ends by itself or {@code timeoutMs} passes; true if it ended. */
    public boolean awaitTermination(long timeoutMs) throws InterruptedException {
        return thread.awaitTermination(timeoutMs);
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
