package dev.stampede.server;

import dev.stampede.engine.OrderingEngine;
import dev.stampede.protocol.ErrReply;
import dev.stampede.protocol.Reject;
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
import java.util.Arrays;
import java.util.Set;
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
 *   <li>with a long fixed {@code --read-batch}, first read the connections that had lines at every
 *       round, without the selector ({@link SweptReads});</li>
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
 * Loop 0 accepts, and hands the sockets round (round robin; a socket is then its loop's alone: the
 * {@link Acceptor}). The loops' engines share their frontiers through the {@link LoopPeers}, so
 * all sources hold one watermark as with one loop; the merge turns their outputs into one stream.
 *
 * <h2>Its parts</h2>
 * The duty cycle is here; who gets in is the {@link Admission} (connection slots, eviction,
 * refusal), the periodic look at the connections is the {@link ConnectionSweep} (silence, TLS
 * handshake timeouts), whether a poll waits for a batch is the {@link ReadBatchRule}, which
 * connections are read without the selector is the {@link SweptReads}.
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
 * ready socket (a poll returns at most {@value #SELECT_CAP}), or before the first poll of the last
 * {@link PollRound} that read every socket ready at its start: any connection silent at that time
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
    private static final long TICK_MS = 10;
    private static final int SHUTDOWN_READS = 16;
    /** How long a stop waits for clients to close their side after our FIN. */
    static final long SHUTDOWN_LINGER_MS = 1_000;
    private static final long WRITE_RETRY_MS = 250;
    private static final long OVERLOAD_LOG_EVERY_MS = 60_000;
    private static final long SHUTDOWN_WRITE_TIMEOUT_MS = 5_000;

    private final int index;
    private final LoopPeers peers;
    private final Selector selector;
    private final OrderingEngine engine;
    private final LoopOutput output;
    private final Consumer<String> log;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    final ByteBuffer replyBuffer = ByteBuffer.allocateDirect(ErrReply.MAX_BYTES);
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final Consumer<SelectionKey> onReadyAtStop = this::onReadyAtStop;
    private final SilenceList silence = new SilenceList();
    /** The loop's TLS state (sessions, shared buffers, handshake slots and timeouts), or null. */
    final TlsAcceptor tls;
    private final LoopCounters counters = new LoopCounters();
    private final Admission admission;
    private final Acceptor acceptor;
    private final ConnectionSweep sweep;
    private final ReadBatchRule readBatch;
    private final PollRound round = new PollRound();
    /** The connections read by sweep, with a long fixed {@code --read-batch}; else {@code null}. */
    private final SweptReads swept;
    private final AckSweep acks;
    private final HandOffs handOffs = new HandOffs();
    private final long startMs;

    /** Monotonic and wall-clock time of the current pass, read once after each poll. */
    long nowMs;
    long wallMs;
    private boolean clockFresh;

    private int ready;
    /** The connection whose read is being decoded, once it gave a value; else {@code null}. */
    private Connection reading;
    /** The highest value {@link #reading} gave in this read. */
    private long readHighest;
    /** Connections the last sweep found bytes in. */
    private int sweptReady;
    private volatile int sweptPublished;
    /** Monotonic and wall-clock time at which every connection silent was truly silent (see above). */
    private long sweepMs;
    private long sweepWallMs;
    private long pausedSinceMs = -1;
    /** Values offered to the engine when the current round began. */
    private long offeredAtRoundStart;
    /** Overloads ({@link ReadBatchRule}) since the last one logged, and when that was; -1: none yet. */
    private int overloadsUnlogged;
    private long overloadLoggedMs = -1;

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
        this.index = index;
        this.peers = peers;
        this.selector = selector;
        this.engine = engine;
        this.output = output;
        this.log = log;
        this.tls = config.tls() == null ? null : new TlsAcceptor(config.tls(), log);
        this.startMs = MonoClock.monoMs();
        this.nowMs = startMs;
        this.wallMs = System.currentTimeMillis();
        this.sweepMs = nowMs;
        this.sweepWallMs = wallMs;
        this.admission = new Admission(this, index, config, peers, selector, engine, silence, counters, tls);
        final ReloadableLimits limits = peers.limits(config);
        this.acceptor = new Acceptor(index, peers, selector, listener, admission, counters, log);
        this.sweep = new ConnectionSweep(index, peers, silence, limits, counters, tls);
        this.readBatch = new ReadBatchRule(config.readBatchMs(), config.readBatchAdaptive(),
                config.engine().idleTimeoutMs());
        this.swept = SweptReads.applies(config.readBatchMs(), config.readBatchAdaptive())
                ? new SweptReads(this::readClock) : null;
        this.acks = new AckSweep(output, nowMs);
        this.stats = new StatsCadence<>(reportStats ? config.statsIntervalMs() : 0, log, nowMs, ServerStats.zero(),
                ServerStats::reportLine);
    }

    /**
     * The runner asks the loop to finish (any thread): it wakes up, reads what the sockets hold,
     * says goodbye (a FIN) and reads until the clients close, writes everything, and returns.
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
        // The last poll came back full and sockets ready at the round's start are still unread:
        // poll again at once, without a pause (PollRound says why a round ends by count).
        final boolean inRound = ready > 0 && !round.complete(ready);
        final boolean batching = !inRound && readBatch.batching(round.keys(), counters.connectionsOpen);
        final boolean found = ready > 0 || sweptReady > 0;
        if (found && batching) {
            // Let a batch of lines arrive: one poll and fewer wake-ups for many sockets.
            output.beforePause(nowMs, engine.watermark(), readBatch.pauseMs());
            LockSupport.parkNanos(readBatch.pauseNanos());
        }
        final long pollStartMs = MonoClock.monoMs();
        final long pollStartWallMs = System.currentTimeMillis();
        if (!inRound) {
            round.begin(pollStartMs, pollStartWallMs, selector.keys().size());
            offeredAtRoundStart = engine.offered();
            sweptReady = 0;
            if (swept != null) {
                // Before the poll: those that leave the sweep are polled at once.
                readClock();
                clockFresh = true;
                sweptReady = swept.beginRound(readBuffer);
                sweptPublished = swept.count();
            }
        }
        // Busy: poll without blocking (and at once while the round goes on).
        ready = found && (inRound || batching) || sweptReady > 0
                ? selector.selectNow(onReady)
                : selector.select(onReady, pollTimeoutMs());
        round.polled(ready);
        if (!clockFresh) {
            readClock();
        }
        clockFresh = false;
        // A short poll read every socket the selector watches; swept ones were read at the
        // round's start, so with a sweep only the round's first poll says so of its start.
        if (ready < SELECT_CAP - 1 && (swept == null || !inRound)) {
            sweepMs = pollStartMs;
            sweepWallMs = pollStartWallMs;
        } else if (round.complete(ready)) {
            sweepMs = round.startMs();
            sweepWallMs = round.startWallMs();
        }
        if (round.complete(ready)) {
            roundEnded();
        }
        if ((ready > 0 || sweptReady > 0) && !acceptor.listens() && peers.size() > 1) {
            acceptor.acceptBeforeAdvance();
        }
        engine.advance(sweepMs, sweepWallMs, peers.peersFrontier(index), peers.peersNewest(index));
        peers.publish(index, engine.frontier(), engine.newest());
    }

    /**
     * A round read every socket ready at its start: the read batch judges whether the loop is
     * saturated. The first overload is logged, then at most one line a minute with their count,
     * so that an operator learns the server works at its edge without a line a second.
     */
    private void roundEnded() {
        final long tookMs = nowMs - round.startMs();
        if (!readBatch.roundEnded(nowMs, tookMs, round.keys(), counters.connectionsOpen,
                engine.offered() - offeredAtRoundStart)) {
            return;
        }
        overloadsUnlogged++;
        if (overloadLoggedMs < 0 || nowMs - overloadLoggedMs >= OVERLOAD_LOG_EVERY_MS) {
            final String loop = peers.size() > 1 ? "event loop " + index : "event loop";
            log.accept("server: " + (overloadLoggedMs < 0 ? loop + " saturated"
                    : loop + ": " + overloadsUnlogged + " saturations in the last "
                            + (nowMs - overloadLoggedMs) / 1000 + " s")
                    + " (rounds of " + tookMs + " ms reading most connections, a line or two a read):"
                    + " pausing half as long as a round, for " + ReadBatchRule.OVERLOAD_MS + " ms each time,"
                    + " so that reads carry more lines");
            overloadsUnlogged = 0;
            overloadLoggedMs = nowMs;
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
     * sweep the connections, resume accepting, publish and log stats.
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
        readBatch.observe(nowMs, engine.offered());
        sweep.sweep(sweepMs, nowMs);
        acks.sweep(nowMs);
        acceptor.resumeIfDue(nowMs);
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

    /** A key the selector found ready (package-private: the seam {@code ReadyKeyTest} drives). */
    void onReady(SelectionKey key) {
        if (!key.isValid()) {
            // Cancelled earlier in this same pass (a connection evicted or closed by another's
            // handling): the selector still hands it over, and readyOps() would throw.
            return;
        }
        if (!clockFresh) {
            readClock();
            clockFresh = true;
        }
        final Object attachment = key.attachment();
        if (attachment instanceof Connection) {
            final Connection c = (Connection) attachment;
            final int ops = key.readyOps();
            if ((ops & SelectionKey.OP_READ) != 0) {
                final int got = c.read(readBuffer);
                if (swept != null) {
                    swept.readByPoll(c, got);
                }
            }
            if ((ops & SelectionKey.OP_WRITE) != 0 && !c.isClosed()) {
                c.onWritable();
            }
        } else {
            acceptor.onAcceptable(nowMs);
        }
    }

    private void readClock() {
        nowMs = MonoClock.monoMs();
        wallMs = System.currentTimeMillis();
    }

    /** Connections read by sweep at the last round's start (any thread; for tests). */
    int sweptConnections() {
        return sweptPublished;
    }

    /** Monotonic time before the last poll that returned every ready socket: what silence is judged by. */
    long sweepMs() {
        return sweepMs;
    }

    // ------------------------------------------------------------- connections

    /**
     * A decoded value from a connection: to the engine.
     *
     * @return {@code false} if the engine refused it as too far ahead of the clock
     */
    boolean accept(Connection c, long value) {
        if (engine.offerValue(value, nowMs, sweepWallMs) == OrderingEngine.AHEAD) {
            return false;
        }
        if (reading != c) {
            endOfRead(reading); // never left over, but a source must not get another's value
            reading = c;
            readHighest = value;
        } else if (value > readHighest) {
            readHighest = value;
        }
        return true;
    }

    /**
     * A read of {@code c} is over, or {@code c} is closing: what it sent tells the engine's source
     * table and the silence list once, with the read's highest value, not once per line (at
     * {@code --read-batch 400ms} a read holds eight). Before the loop advances the engine, as the
     * engine asks ({@link OrderingEngine#offerValue}).
     */
    void endOfRead(Connection c) {
        if (c != null && reading == c) {
            reading = null;
            engine.touch(c.source(), readHighest, nowMs);
            silence.heard(c, nowMs);
        }
    }

    void countReject(Reject reason) {
        counters.reject(reason);
        if (reason != Reject.TOO_MANY_ERRORS) {
            counters.invalid++;
        }
    }

    /** A reply that found no room, dropped. */
    void replyDropped() {
        counters.repliesDropped++;
    }

    /** {@code c} asked for acknowledgements (its first line was the opener). */
    void acksRequested(Connection c) {
        acks.add(c);
    }

    void onClosed(Connection c) {
        acks.remove(c);
        engine.removeSource(c.source());
        silence.remove(c);
        counters.connectionsOpen--;
        peers.releaseSlot();
    }

    /**
     * Another loop gives this loop a socket (any thread).
     *
     * @param evictForIt see {@link HandOffs.HandOff#evictForIt()}
     * @return false if this loop is stopping: the caller keeps the socket
     */
    boolean handOff(SocketChannel ch, boolean evictForIt) {
        peers.arriving(index);
        if (!handOffs.offer(ch, evictForIt)) {
            peers.arrived(index, 1);
            return false;
        }
        selector.wakeup();
        return true;
    }

    private void takeHandOffs() {
        if (peers.size() == 1) {
            return;
        }
        int taken = 0;
        for (HandOffs.HandOff h = handOffs.poll(); h != null; h = handOffs.poll()) {
            admission.admit(h.channel(), h.evictForIt());
            taken++;
        }
        if (taken > 0) {
            // The new sources hold this engine's watermark where it is: say so before the peers
            // stop waiting for them.
            peers.publish(index, Math.min(engine.frontier(), engine.watermark()), engine.newest());
            peers.arrived(index, taken);
        }
    }

    // ------------------------------------------------------------------ ending

    private void shutdown() {
        readClock();
        acceptor.acceptBacklogAndClose(nowMs);
        handOffs.close();
        takeHandOffs();
        final Connection[] open = openConnections();
        // What the clients already sent is in our socket buffers: take it, then say we are done.
        for (Connection c : open) {
            readWaiting(c);
            c.finishOutput();
        }
        awaitClientsClosing();
        for (Connection c : open) {
            readWaiting(c);
            c.close();
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
        Admission.closeQuietly(selector);
        stats.publish(snapshot());
    }

    private Connection[] openConnections() {
        final Set<SelectionKey> keys = selector.keys();
        final Connection[] open = new Connection[keys.size()];
        int n = 0;
        for (SelectionKey key : keys) {
            if (key.attachment() instanceof Connection) {
                open[n++] = (Connection) key.attachment();
            }
        }
        return Arrays.copyOf(open, n);
    }

    private void readWaiting(Connection c) {
        for (int i = 0; i < SHUTDOWN_READS && !c.isClosed() && c.read(readBuffer) > 0; i++) {
            // read() decodes as it goes
        }
    }

    /**
     * After our FIN, reads until every client has closed its side, for {@link #SHUTDOWN_LINGER_MS}
     * at most. A line a client wrote after our last read of it, before it saw the FIN, is read
     * here. Closing at once would lose it to a reset, and its replay to the restarted server
     * would be late: the other connections' later values, read after, made the file pass it.
     */
    private void awaitClientsClosing() {
        final int told = counters.connectionsOpen;
        if (told == 0) {
            return;
        }
        final long startMs = MonoClock.monoMs();
        final long deadlineMs = startMs + SHUTDOWN_LINGER_MS;
        for (long left = SHUTDOWN_LINGER_MS; counters.connectionsOpen > 0 && left > 0;
                left = deadlineMs - MonoClock.monoMs()) {
            try {
                selector.select(onReadyAtStop, left);
            } catch (IOException e) {
                log.accept("server: " + e.getMessage() + " while waiting for clients to close");
                return;
            }
        }
        final int stayed = counters.connectionsOpen;
        log.accept("server: stopping: " + (told - stayed) + " of " + told + " clients closed after our FIN, in "
                + (MonoClock.monoMs() - startMs) + " ms" + (stayed > 0 ? "; closing the other " + stayed : ""));
    }

    private void onReadyAtStop(SelectionKey key) {
        if (key.isValid() && key.attachment() instanceof Connection) {
            readClock();
            readWaiting((Connection) key.attachment());
        }
    }

    private ServerStats snapshot() {
        return counters.snapshot(MonoClock.monoMs() - startMs, engine, wallMs, output, publishLagMs.getAsLong(), tls);
    }
}
