package dev.stampede.server;

import dev.stampede.engine.OrderingEngine;
import dev.stampede.protocol.ErrReply;
import dev.stampede.protocol.LineDecoder;
import dev.stampede.protocol.Reject;
import dev.stampede.protocol.SkewCheck;
import dev.stampede.runtime.Agent;
import dev.stampede.runtime.MonoClock;
import dev.stampede.runtime.StatsCadence;
import dev.stampede.stats.ServerStats;
import dev.stampede.transport.TlsAcceptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * One of the server's event loops ({@code --loops}): reads and decodes its connections, feeds its
 * engine, hands what the engine releases to its {@link LoopOutput}, reports stats. An agent with a
 * duty cycle, in Agrona's sense:
 *
 * <ol>
 *   <li>poll the selector (blocking, or after a short pause with {@code --read-batch});</li>
 *   <li>for each ready socket, one read into the shared buffer, decoded in place;</li>
 *   <li>advance the engine's watermark, which releases final values to the output;</li>
 *   <li>on their intervals: write the store's buffer to the file (one loop) or hand the batch to
 *       the {@link LoopMerge} (several), take sockets handed over by the acceptor, publish a
 *       snapshot, log stats.</li>
 * </ol>
 *
 * <p>While the output does not take writes (disk full), the loop reads nothing and retries: TCP
 * holds the clients back, memory stays bounded by the pending window, nothing is dropped.
 *
 * <h2>Several loops</h2>
 * Loop 0 accepts, and hands the sockets round (round robin; a socket is then its loop's alone). The
 * loops' engines share their frontiers through the {@link LoopPeers}, so all sources hold one
 * watermark as with one loop; the merge turns their outputs into one stream.
 *
 * <h2>Threading</h2>
 * Everything here runs on the loop's own thread, which owns the selector, its connections and its
 * engine (and, with one loop, the store): no locks on the hot path. It runs as an {@link Agent}
 * under an {@link dev.stampede.runtime.AgentRunner} with {@link
 * dev.stampede.runtime.IdleStrategy#NONE} (it waits in its selector); other threads only call
 * {@link #onStopRequested()} (through the runner), {@link #handOff} and read {@link #stats()}.
 *
 * <h2>Idleness and time</h2>
 * A connection with bytes waiting unread must never look idle, however slow a loop pass was. So
 * the engine's idle sweep uses the time taken <em>before</em> the last poll that returned every
 * ready socket (a poll returns at most {@value #SELECT_CAP}): any connection silent at that time
 * was truly silent then, while values read get the time after the poll. The same goes for the
 * event-time clock that bounds the watermark ({@code --max-delay}): the engine gets the wall
 * clock of that same instant, so a loop that was stalled (a GC pause, a full disk, a stopped
 * process) reads what waited in the sockets before the watermark catches up with the clock, and
 * nothing turns late for having waited unread.
 */
final class EventLoop implements Agent {
    /** Most events one JDK epoll poll returns (sun.nio.ch.EPollSelectorImpl.NUM_EPOLLEVENTS). */
    static final int SELECT_CAP = 1024;

    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final int ACCEPTS_PER_POLL = 256;
    private static final long ACCEPT_PAUSE_MS = 100;
    private static final long TICK_MS = 10;
    /**
     * Values a second from which {@code --read-batch} pauses: ten a millisecond or more, so that a
     * pause has reads to share. Below it a pause only adds a wake-up (measured: at 4,000 values a
     * second it cost 20 % more CPU; at 20,000 it halved it).
     */
    private static final long BATCH_FROM_VALUES_PER_S = 10_000;
    private static final long RATE_WINDOW_MS = 100;
    private static final int SHUTDOWN_READS = 16;
    private static final long WRITE_RETRY_MS = 250;
    private static final long SHUTDOWN_WRITE_TIMEOUT_MS = 5_000;

    private final ServerConfig config;
    private final int index;
    private final LoopPeers peers;
    private final Selector selector;
    /** The listening socket, in loop 0 only ({@code null} in the others). */
    private final ServerSocketChannel listener;
    private final SelectionKey listenerKey;
    private final OrderingEngine engine;
    private final LoopOutput output;
    private final SkewCheck skew;
    private final Consumer<String> log;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    final ByteBuffer replyBuffer = ByteBuffer.allocateDirect(ErrReply.MAX_BYTES);
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final SilenceList silence = new SilenceList();
    /** The loop's TLS state (sessions, shared buffers, handshake slots and timeouts), or null. */
    final TlsAcceptor tls;
    private final Consumer<Object> onHandshakeTimeout = this::handshakeTimedOut;
    private final long startMs;
    /** Sockets the acceptor handed to this loop, not yet registered; guarded by itself. */
    private final ArrayDeque<SocketChannel> handOffs = new ArrayDeque<>();
    private boolean handOffsClosed;


    /** Monotonic and wall-clock time of the current pass, read once after each poll. */
    long nowMs;
    long wallMs;
    private boolean clockFresh;

    private int connectionsOpen;
    private long connectionsTotal;
    private long invalid;
    private long refused;
    private long silentClosed;
    private long evicted;
    /** Rejections by {@link Reject} ordinal, for the metrics (copied into each snapshot). */
    private final long[] rejects = new long[Reject.values().length];
    long repliesDropped;
    private long acceptResumeMs = -1;
    private boolean acceptErrorLogged;

    private int ready;
    /** Monotonic and wall-clock time before the last poll that returned every ready socket. */
    private long sweepMs;
    private long sweepWallMs;
    private long pausedSinceMs = -1;
    /** Whether values arrive fast enough for {@code --read-batch} to pause (see the constant). */
    private boolean busy;
    private long rateWindowEndMs;
    private long offeredAtWindowStart;

    private volatile Thread loopThread;
    private final StatsCadence<ServerStats> stats;
    private final Supplier<ServerStats> snapshot = this::snapshot;
    private volatile LongSupplier publishLagMs = () -> -1;

    /**
     * @param listener the listening socket, for loop 0; {@code null} for the others
     * @param reportStats whether this loop logs the stats line (with several loops, the merge does)
     */
    EventLoop(ServerConfig config, int index, LoopPeers peers, Selector selector, ServerSocketChannel listener,
            OrderingEngine engine, LoopOutput output, Consumer<String> log, boolean reportStats) throws IOException {
        this.config = config;
        this.index = index;
        this.peers = peers;
        this.selector = selector;
        this.listener = listener;
        this.engine = engine;
        this.output = output;
        this.log = log;
        this.skew = new SkewCheck(config.maxSkewMs());
        this.tls = config.tls() == null ? null : new TlsAcceptor(config.tls(), log);
        this.startMs = MonoClock.monoMs();
        this.nowMs = startMs;
        this.wallMs = System.currentTimeMillis();
        this.listenerKey = listener == null ? null : listener.register(selector, SelectionKey.OP_ACCEPT);
        this.sweepMs = nowMs;
        this.sweepWallMs = wallMs;
        this.stats = new StatsCadence<>(reportStats ? config.statsIntervalMs() : 0, log, nowMs, ServerStats.zero(),
                ServerStats::reportLine);
    }

    /**
     * The runner asks the loop to finish (any thread): it wakes up, reads what the sockets hold,
     * writes everything, and returns.
     */
    @Override
    public void onStopRequested() {
        selector.wakeup();
        final Thread t = loopThread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Where the stats get the lag of publication to Kafka (any thread). */
    void publishLag(LongSupplier lagMs) {
        this.publishLagMs = lagMs;
    }

    /** The latest counters, refreshed every {@value StatsCadence#SNAPSHOT_MS} ms and at exit. */
    ServerStats stats() {
        return stats.latest();
    }

    @Override
    public String roleName() {
        return "server: event loop";
    }

    @Override
    public void onStart() {
        loopThread = Thread.currentThread();
    }

    @Override
    public int doWork() throws IOException {
        if (output.isBackedUp()) {
            waitForWrites();
        } else {
            pollAndRead();
        }
        housekeeping();
        return ready;
    }

    /** The orderly end, whether the loop stopped or failed: read what is waiting, write everything. */
    @Override
    public void onClose() {
        shutdown();
    }

    /** One duty cycle's input: poll, read and decode every ready socket, advance the engine. */
    private void pollAndRead() throws IOException {
        final boolean capped = ready >= SELECT_CAP - 1;
        // A pause lets more sockets become ready for the next poll; when most already were
        // (a saturated server: every connection has a backlog), it would only leave the loop idle.
        final boolean batching = busy && config.readBatchMs() > 0 && ready < connectionsOpen / 2;
        if (ready > 0 && !capped && batching) {
            // Let a batch of lines arrive: one poll and fewer wake-ups for many sockets.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(config.readBatchMs()));
        }
        final long pollStartMs = MonoClock.monoMs();
        final long pollStartWallMs = System.currentTimeMillis();
        // Busy: poll without blocking (and at once while polls come back full).
        ready = ready > 0 && (capped || batching)
                ? selector.selectNow(onReady)
                : selector.select(onReady, pollTimeoutMs());
        if (!clockFresh) {
            readClock();
        }
        clockFresh = false;
        if (ready < SELECT_CAP - 1) {
            sweepMs = pollStartMs;
            sweepWallMs = pollStartWallMs;
        }
        if (ready > 0 && listener == null && peers.size() > 1) {
            acceptBeforeAdvance();
        }
        engine.advance(sweepMs, sweepWallMs, peers.peersFrontier(index), peers.peersNewest(index));
        peers.publish(index, engine.frontier(), engine.newest());
    }

    /**
     * With several loops, a connection must hold the watermark from its accept, as with one loop,
     * where a poll that returns a value also returns the connections made before it, accepted
     * before the watermark moves. A loop other than the acceptor never sees the listener in its
     * poll; so, having read values, it takes in (and hands round) every connection waiting to be
     * accepted before its watermark moves on them: one {@code accept} call a busy pass.
     */
    private void acceptBeforeAdvance() {
        final ServerSocketChannel shared = peers.listener();
        while (true) {
            final SocketChannel ch;
            try {
                ch = shared.accept();
            } catch (IOException e) {
                return; // closed (stopping) or out of descriptors: the acceptor deals with it
            }
            if (ch == null) {
                return;
            }
            connectionsTotal++;
            dispatch(ch);
        }
    }

    /**
     * The writers are behind (a slow disk, a long fsync) or failing (disk full, I/O error): read
     * nothing, so that clients are held back by TCP instead of our memory filling, until they
     * catch up. The engine's clocks stand still meanwhile: nobody turns idle, and nothing waiting
     * in a socket turns late, for not being read.
     */
    private void waitForWrites() {
        final boolean failing = output.isFailing();
        if (pausedSinceMs < 0 && failing) {
            pausedSinceMs = nowMs;
            final String message = output.failureMessage();
            if (message != null) {
                log.accept("server: " + message + "; reading paused (clients wait in TCP), retrying every "
                        + WRITE_RETRY_MS + " ms");
            }
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(failing ? WRITE_RETRY_MS : 1));
        readClock();
        ready = 0;
    }

    /**
     * On their intervals: write (or hand over) what the engine released, take handed-over sockets,
     * resume accepting, publish and log stats.
     */
    private void housekeeping() {
        output.afterPass(nowMs, engine.watermark());
        if (pausedSinceMs >= 0 && !output.isFailing()) {
            if (output.failureMessage() != null) {
                log.accept("server: writing again after " + (nowMs - pausedSinceMs) + " ms; reading resumed");
            }
            pausedSinceMs = -1;
        }
        takeHandOffs();
        if (nowMs >= rateWindowEndMs) {
            busy = (engine.offered() - offeredAtWindowStart) * 1000 >= BATCH_FROM_VALUES_PER_S * RATE_WINDOW_MS;
            offeredAtWindowStart = engine.offered();
            rateWindowEndMs = nowMs + RATE_WINDOW_MS;
        }
        closeSilent();
        if (tls != null) {
            tls.sweep(nowMs, onHandshakeTimeout);
        }
        if (acceptResumeMs >= 0 && nowMs >= acceptResumeMs) {
            acceptResumeMs = -1;
            listenerKey.interestOps(SelectionKey.OP_ACCEPT);
        }
        stats.tick(nowMs, snapshot);
    }

    private long pollTimeoutMs() {
        // With several loops, each keeps its watermark moving for the merge, busy or not.
        final boolean work = engine.pendingValues() > 0 || engine.activeSources() > 0 || output.hasUnwritten()
                || peers.size() > 1;
        if (work) {
            return TICK_MS;
        }
        // Idle: wake for the next snapshot anyway, so that published stats stay fresh.
        return StatsCadence.SNAPSHOT_MS;
    }

    private void onReady(SelectionKey key) {
        if (!clockFresh) {
            readClock();
            clockFresh = true;
        }
        final Object attachment = key.attachment();
        if (attachment instanceof Connection) {
            final Connection c = (Connection) attachment;
            final int ops = key.readyOps();
            if ((ops & SelectionKey.OP_READ) != 0) {
                c.read(readBuffer);
            }
            if ((ops & SelectionKey.OP_WRITE) != 0 && !c.isClosed()) {
                c.onWritable();
            }
        } else {
            acceptAll();
        }
    }

    private void readClock() {
        nowMs = MonoClock.monoMs();
        wallMs = System.currentTimeMillis();
    }

    // ------------------------------------------------------------- connections

    /**
     * A decoded value from a connection: to the engine.
     *
     * @return {@code false} if the engine refused it as too far ahead of the clock
     */
    boolean accept(Connection c, long value) {
        if (engine.offer(c.source(), value, nowMs, sweepWallMs) == OrderingEngine.AHEAD) {
            return false;
        }
        silence.heard(c, nowMs);
        return true;
    }

    private void handshakeTimedOut(Object connection) {
        ((Connection) connection).handshakeTimedOut(tls);
    }

    void countReject(Reject reason) {
        rejects[reason.ordinal()]++;
        if (reason != Reject.TOO_MANY_ERRORS) {
            invalid++;
        }
    }

    void onClosed(Connection c) {
        engine.removeSource(c.source());
        silence.remove(c);
        connectionsOpen--;
        peers.releaseSlot();
    }

    /**
     * The acceptor gives this loop a socket (any thread).
     *
     * @return false if this loop is stopping: the caller keeps the socket
     */
    boolean handOff(SocketChannel ch) {
        peers.arriving(index);
        synchronized (handOffs) {
            if (handOffsClosed) {
                peers.arrived(index, 1);
                return false;
            }
            handOffs.add(ch);
        }
        selector.wakeup();
        return true;
    }

    private void takeHandOffs() {
        if (peers.size() == 1) {
            return;
        }
        int taken = 0;
        for (SocketChannel ch = nextHandOff(); ch != null; ch = nextHandOff()) {
            admit(ch);
            taken++;
        }
        if (taken > 0) {
            // The new sources hold this engine's watermark where it is: say so before the peers
            // stop waiting for them.
            peers.publish(index, Math.min(engine.frontier(), engine.watermark()), engine.newest());
            peers.arrived(index, taken);
        }
    }

    private SocketChannel nextHandOff() {
        synchronized (handOffs) {
            return handOffs.poll();
        }
    }

    private void closeHandOffs() {
        synchronized (handOffs) {
            handOffsClosed = true;
        }
    }

    /**
     * Closes the connections without a valid value for {@code --silent-timeout}. Judged, like
     * idleness, by the time before the last complete poll: bytes waiting unread are not silence.
     */
    private void closeSilent() {
        final long timeoutMs = config.silentTimeoutMs();
        for (Connection c = silence.head(); timeoutMs > 0 && c != null && c.lastValueMs + timeoutMs <= sweepMs;
                c = silence.head()) {
            silentClosed++;
            rejects[Reject.SILENT.ordinal()]++;
            c.closeWith(Reject.SILENT);
        }
    }

    /**
     * The server is full: makes room by closing the connection silent the longest, if it has been
     * silent for at least the idle timeout (it holds nobody back then, and a live client sends far
     * more often). So connections that say nothing can never keep real clients out.
     */
    private boolean evictLongestSilent() {
        final Connection c = silence.head();
        if (c == null || c.lastValueMs + config.engine().idleTimeoutMs() > sweepMs) {
            return false;
        }
        evicted++;
        rejects[Reject.EVICTED.ordinal()]++;
        c.closeWith(Reject.EVICTED);
        return true;
    }

    private void acceptAll() {
        acceptUpTo(ACCEPTS_PER_POLL);
    }

    private void acceptBacklog() {
        if (listener != null && listener.isOpen() && acceptResumeMs < 0) {
            acceptUpTo(Integer.MAX_VALUE);
        }
    }

    private void acceptUpTo(int max) {
        for (int i = 0; i < max; i++) {
            final SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                pauseAccepting(e);
                return;
            }
            if (ch == null) {
                return;
            }
            connectionsTotal++;
            dispatch(ch);
        }
    }

    /** Round robin over the loops: the socket goes to the next one (this one included). */
    private void dispatch(SocketChannel ch) {
        if (peers.size() > 1) {
            final int target = peers.nextLoop();
            if (target != index && peers.loop(target).handOff(ch)) {
                return;
            }
        }
        admit(ch);
    }

    /** Takes the socket in, or, the server being full, evicts a silent one for it or refuses it. */
    private void admit(SocketChannel ch) {
        try {
            // A slot is taken atomically across loops; one freed by an eviction may go to another
            // loop's newcomer first, so every connection let in past the limit cost an eviction.
            final int max = config.maxConnections();
            if (peers.takeSlot(max) || (evictLongestSilent() && peers.takeSlot(max))) {
                try {
                    register(ch);
                } catch (IOException | RuntimeException e) {
                    peers.releaseSlot();
                    throw e;
                }
            } else {
                refuse(ch);
            }
        } catch (IOException e) {
            closeQuietly(ch);
        }
    }

    private void register(SocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        final Connection c = new Connection(this, ch, new LineDecoder(skew), engine.addSource(nowMs),
                tls == null ? null : tls.open(nowMs));
        connectionsOpen++;
        silence.add(c, nowMs);
        try {
            c.attach(ch.register(selector, SelectionKey.OP_READ, c));
        } catch (IOException e) {
            engine.removeSource(c.source());
            silence.remove(c);
            connectionsOpen--;
            throw e;
        }
    }

    /** Past --max-connections: say so without blocking (not in plaintext to a TLS client), and close. */
    private void refuse(SocketChannel ch) throws IOException {
        refused++;
        rejects[Reject.SERVER_FULL.ordinal()]++;
        if (tls != null) {
            ch.close();
            return;
        }
        ch.configureBlocking(false);
        final ByteBuffer out = replyBuffer.clear();
        ErrReply.put(out, 0, Reject.SERVER_FULL);
        ch.write(out.flip());
        ch.close();
    }

    /** Out of file descriptors (or similar): stop accepting for a moment instead of spinning. */
    private void pauseAccepting(IOException e) {
        if (!acceptErrorLogged) {
            log.accept("server: accept failed: " + e.getMessage()
                    + "; pausing accepts (raise ulimit -n, or lower --max-connections)");
            acceptErrorLogged = true;
        }
        listenerKey.interestOps(0);
        acceptResumeMs = nowMs + ACCEPT_PAUSE_MS;
    }

    // ------------------------------------------------------------------ ending

    private void shutdown() {
        readClock();
        // Connections still in the accept queue have sent data too: take them in before closing.
        acceptBacklog();
        if (listener != null) {
            closeQuietly(listener);
        }
        closeHandOffs();
        takeHandOffs();
        for (SelectionKey key : selector.keys().toArray(new SelectionKey[0])) {
            if (key.attachment() instanceof Connection) {
                final Connection c = (Connection) key.attachment();
                // What the clients already sent is in our socket buffers: take it before closing.
                for (int i = 0; i < SHUTDOWN_READS && !c.isClosed() && c.read(readBuffer) > 0; i++) {
                    // read() decodes as it goes
                }
                c.close();
            }
        }
        // The clock as of now, after the last reads: what they got was sent before it.
        engine.drain(System.currentTimeMillis());
        peers.publish(index, Long.MAX_VALUE, engine.newest());
        stats.publish(snapshot()); // before the merge can end, which sums it
        // The writers retry a failing disk for a few seconds before we give up on it.
        try {
            output.finish(engine.watermark(), SHUTDOWN_WRITE_TIMEOUT_MS);
        } catch (IOException e) {
            log.accept("server: " + e.getMessage() + (e.getCause() != null ? ": " + e.getCause().getMessage() : ""));
        }
        closeQuietly(selector);
        stats.publish(snapshot());
    }

    private ServerStats snapshot() {
        final long w = engine.watermark();
        return new ServerStats(
                MonoClock.monoMs() - startMs,
                connectionsOpen,
                connectionsTotal,
                engine.offered(),
                engine.released(),
                engine.duplicates(),
                engine.late(),
                invalid,
                refused,
                engine.pendingValues(),
                w == Long.MIN_VALUE ? -1 : Math.max(0, wallMs - w),
                output.isFailing(),
                repliesDropped,
                silentClosed,
                evicted,
                publishLagMs.getAsLong(),
                output.writeFailures(),
                rejects.clone(),
                tls == null ? 0 : tls.failures());
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Closing on the way out: nothing useful to do with the error.
        }
    }
}
