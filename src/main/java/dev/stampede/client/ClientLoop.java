package dev.stampede.client;

import dev.stampede.client.ClientConnection.State;
import dev.stampede.stats.ClientStats;
import dev.stampede.stats.ClientStats.Lateness;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The client's one event loop: connects, then sends every connection's ticks on the
 * {@link Schedule}, reads what the server says, reconnects what fails, reports.
 *
 * <h2>The duty cycle</h2>
 * <ol>
 *   <li>Connect phase: start connects (at most {@value Connector#MAX_IN_FLIGHT} in flight) until
 *       every connection is up or has failed once; the schedule then starts, so that a healthy
 *       run does not begin with ticks missed while 19,000 connections come up.</li>
 *   <li>Schedule: send every tick that is due; sleep until the next one. {@code Selector.select}
 *       only sleeps in whole milliseconds, so waits shorter than {@value #SELECT_MIN_NS} ns park
 *       the thread instead ({@code LockSupport.parkNanos}, microsecond precision); longer ones
 *       select (handling socket events meanwhile) until about a millisecond before.</li>
 *   <li>About every {@value #HOUSEKEEPING_NS} ns, on the wake-up of a send where there is one:
 *       poll the sockets (replies, closes, writable), start due reconnects, flush the record
 *       file, publish stats.</li>
 * </ol>
 *
 * <h2>Threading</h2>
 * Everything runs on the loop's own thread, which owns the selector, the connections, the
 * counters and the record file: no locks. Other threads only call {@link #requestStop()} and
 * read {@link #stats()}.
 */
final class ClientLoop implements Runnable {
    private static final long MS = 1_000_000L;
    private static final long HOUSEKEEPING_NS = 10 * MS;
    private static final long SNAPSHOT_NS = 100 * MS;
    private static final long RECORD_FLUSH_NS = 200 * MS;
    private static final long SELECT_MIN_NS = 2 * MS;
    private static final long CONNECT_PHASE_BASE_NS = 10_000 * MS;
    private static final int READ_BUFFER_BYTES = 4096;
    private static final long JIT_SETTLE_MAX_NS = 1_500 * MS;
    private static final long JIT_SETTLE_POLL_MS = 20;

    private final ClientConfig config;
    private final Selector selector;
    private final ClientConnection[] connections;
    private final ClientCounters counters = new ClientCounters();
    private final Connector connector;
    private final Sender sender;
    private final LatenessRecorder lateness;
    private final RecordFile record;
    private final HistogramLog hlog;
    private final Consumer<String> log;
    private final RateLimitedLog replyLog;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final long intervalNs;
    private final long startNs;
    private final boolean warmUpFirst;

    private long scheduleStartNs = -1;
    private long connectMs = -1;
    private long warmUpMs;
    private long nextHousekeepingNs;
    private long nextSnapshotNs;
    private long nextWindowNs;
    private long nextRecordFlushNs;
    private long windowStartMs = System.currentTimeMillis();
    private ClientStats lastReport;
    private Lateness lastWindow = Lateness.NONE;
    private Lateness lastTotal = Lateness.NONE;

    private volatile Thread runner;
    private volatile boolean stopRequested;
    private volatile boolean failed;
    private volatile ClientStats published;

    /**
     * @param record where first sends are appended, or {@code null}; closed by the loop at exit
     * @param hlog where each lateness window goes, or {@code null}; closed by the loop at exit
     * @param warmUpFirst run a {@link JitWarmup} before connecting when the send rate calls for it
     */
    ClientLoop(ClientConfig config, Selector selector, RecordFile record, HistogramLog hlog, Consumer<String> log,
            boolean warmUpFirst) {
        this.config = config;
        this.selector = selector;
        this.record = record;
        this.hlog = hlog;
        this.log = log;
        this.warmUpFirst = warmUpFirst && JitWarmup.worthIt(config);
        this.intervalNs = config.intervalMs() * MS;
        this.startNs = System.nanoTime();
        this.replyLog = new RateLimitedLog(log, 1_000 * MS, "server replies");
        this.lateness = new LatenessRecorder(LatenessRecorder.highestUs(config));
        this.connections = new ClientConnection[config.connections()];
        for (int i = 0; i < connections.length; i++) {
            connections[i] = new ClientConnection(i,
                    new ReplayRing(config.replayEntries(), ClientConfig.BACKLOG_VALUES, config.intervalMs()));
        }
        this.sender = new Sender(counters, record);
        this.connector = new Connector(selector, config.servers().toArray(new InetSocketAddress[0]), sources(config), config.sendBufferBytes(),
                connections, counters, new Backoff(System.nanoTime()), this::onUp, log);
        sender.connector(connector);
        connector.useTls(config.tls());
        this.lastReport = ClientStats.zero(connections.length);
        this.published = lastReport;
    }

    /** Asks the loop to stop: it closes the connections, flushes the record file, and returns. */
    void requestStop() {
        stopRequested = true;
        selector.wakeup();
        final Thread t = runner;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** The latest counters, at most {@value #SNAPSHOT_NS} ns old (final once the loop ended). */
    ClientStats stats() {
        return published;
    }

    /** Whether the loop ended because of an unexpected error (it said why in the log). */
    boolean failed() {
        return failed;
    }

    @Override
    public void run() {
        runner = Thread.currentThread();
        try {
            if (warmUpFirst) {
                warmUp();
            }
            connectPhase();
            if (!stopRequested) {
                runSchedule();
            }
        } catch (IOException | RuntimeException e) {
            failed = true;
            log.accept("client: event loop failed: " + e + "; stopping");
        } finally {
            shutdown();
        }
    }

    // ------------------------------------------------------------------ phases

    private void connectPhase() throws IOException {
        final int sources = config.sourceAddresses().size();
        log.accept("client: connecting " + connections.length + " to " + servers(config)
                + (sources == 0 ? "" : " from " + sources + " source addresses")
                + ", every " + config.intervalMs() + " ms each, phase "
                + config.phase().name().toLowerCase(Locale.ROOT)
                + (config.durationMs() > 0 ? ", for " + config.durationMs() + " ms" : ", until stopped"));
        long now = System.nanoTime();
        final long deadline = now + CONNECT_PHASE_BASE_NS + connections.length * (MS / 2);
        schedulePeriodic(now);
        while (!stopRequested && !connector.allTried()) {
            if (now >= deadline) {
                log.accept("client: only " + counters.connected + " of " + connections.length + " connected after "
                        + (now - startNs) / MS + " ms; starting anyway");
                break;
            }
            connector.pump(now);
            selector.select(onReady, 10);
            now = System.nanoTime();
            periodic(now);
        }
        connectMs = (now - startNs) / MS;
        if (!stopRequested) {
            log.accept("client: " + counters.connected + " of " + connections.length + " connected in "
                    + connectMs + " ms" + (warmUpFirst ? " (after " + warmUpMs + " ms of JIT warm-up)" : "")
                    + (counters.connected < connections.length ? "; the others keep retrying" : ""));
        }
    }

    /**
     * Gets the send path compiled before the first real send is due (see {@link JitWarmup}), then
     * waits (at most {@value #JIT_SETTLE_MAX_NS} ns, handling socket events) until the JIT has
     * finished the compilations it started: compiler threads still running when the first sends
     * are due take the cores from the loop.
     */
    private void warmUp() throws IOException {
        final long t0 = System.nanoTime();
        try {
            JitWarmup.run(config);
        } catch (IOException | RuntimeException e) {
            // Only an optimization: without it the first second is merely later than it could be.
            log.accept("client: JIT warm-up skipped: " + e);
        }
        final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit != null && jit.isCompilationTimeMonitoringSupported()) {
            long before = -1;
            for (long now = System.nanoTime(); now - t0 < JIT_SETTLE_MAX_NS && !stopRequested;
                    now = System.nanoTime()) {
                final long compiledMs = jit.getTotalCompilationTime();
                if (compiledMs == before) {
                    break;
                }
                before = compiledMs;
                selector.select(onReady, JIT_SETTLE_POLL_MS);
            }
        }
        warmUpMs = (System.nanoTime() - t0) / MS;
    }

    private void runSchedule() throws IOException {
        scheduleStartNs = System.nanoTime();
        final long endNs = config.durationMs() > 0 ? scheduleStartNs + config.durationMs() * MS : Long.MAX_VALUE;
        final Schedule schedule = new Schedule(scheduleStartNs, intervalNs, connections.length, config.phase(), endNs);
        nextHousekeepingNs = scheduleStartNs;
        while (!stopRequested && !schedule.finished()) {
            step(schedule); // a method, not an inline body: the JIT compiles it early, no OSR wait
        }
    }

    /** One pass: the due send (or the overdue skip), or housekeeping, or a sleep. */
    private void step(Schedule schedule) throws IOException {
        final long now = System.nanoTime();
        final long due = schedule.due();
        final long housekeepingLateNs = now - nextHousekeepingNs;
        // Sends first, so housekeeping never delays one; but a loop that is always behind
        // still polls its sockets once a period.
        if (now - due >= 0 && housekeepingLateNs < HOUSEKEEPING_NS) {
            if (now - due >= intervalNs) {
                counters.missedLate += schedule.skipOverdue(now); // paused or behind: no burst
            } else {
                fire(connections[schedule.connection()], now - due);
                schedule.advance();
            }
            return;
        }
        if (housekeepingLateNs >= 0) {
            housekeeping(now);
            nextHousekeepingNs = now + HOUSEKEEPING_NS;
            return;
        }
        // Housekeeping rides on the wake-up of a send due soon after it, rather than cost a
        // wake-up of its own; with no send near, it wakes the loop half a period late.
        sleep(Math.min(due, nextHousekeepingNs + HOUSEKEEPING_NS / 2) - now);
    }

    /** One tick of one connection: its current wall-clock time, written now. */
    private void fire(ClientConnection c, long lateNs) {
        if (c.state != State.UP) {
            counters.missedDown++;
            return;
        }
        final int dropped = c.ring.offer(System.currentTimeMillis());
        if (dropped == ReplayRing.REFUSED) {
            counters.missedFull++;
            return;
        }
        counters.replayDropped += dropped;
        lateness.record(lateNs);
        sender.flush(c);
    }

    private void sleep(long ns) throws IOException {
        if (ns >= SELECT_MIN_NS) {
            // Whole milliseconds only: wake up to a millisecond early, then park for the rest.
            selector.select(onReady, ns / MS - 1);
        } else {
            LockSupport.parkNanos(ns);
        }
    }

    private void housekeeping(long now) throws IOException {
        selector.selectNow(onReady);
        connector.pump(now);
        periodic(now);
    }

    // --------------------------------------------------------------- sockets

    private void onReady(SelectionKey key) {
        final ClientConnection c = (ClientConnection) key.attachment();
        if (!key.isValid() || key != c.key) {
            return; // a socket closed in this same pass
        }
        final long now = System.nanoTime();
        if (c.state == State.CONNECTING) {
            connector.finish(c, now);
            return;
        }
        final int ops = key.readyOps();
        if ((ops & SelectionKey.OP_READ) != 0) {
            readReplies(c, now);
        }
        if ((ops & SelectionKey.OP_WRITE) != 0 && c.state == State.UP) {
            sender.flush(c);
        }
    }

    /** A connection is up (again): send its replay first, then its ticks follow. */
    private void onUp(ClientConnection c) {
        c.ring.rewind();
        if (c.ring.unsent() > 0) {
            sender.flush(c);
        }
    }

    /** The server says nothing unless something is wrong: show what it says, rate-limited. */
    private void readReplies(ClientConnection c, long now) {
        ByteBuffer in = readBuffer;
        final int n;
        try {
            if (c.tls != null) {
                n = c.tls.read(c.channel);
                in = connector.tlsPlaintext();
                c.wantWrites(c.tls.hasPendingOutput() || c.ring.unsent() > 0);
            } else {
                readBuffer.clear();
                n = c.channel.read(readBuffer);
                readBuffer.flip();
            }
        } catch (IOException e) {
            connector.fail(c, now, "lost", e);
            return;
        }
        if (n < 0) {
            connector.fail(c, now, "lost", "closed by the server");
            return;
        }
        if (!in.hasRemaining()) {
            return; // TLS: a session ticket or a record cut in two, no reply yet
        }
        if (c.replies == null) {
            c.replies = new ReplyReader();
        }
        while (c.replies.next(in)) {
            counters.errors++;
            if (replyLog.permit(now)) {
                replyLog.emit("client: connection " + c.index + ": server says: " + c.replies.text());
            }
        }
    }

    // ----------------------------------------------------------------- stats

    private void schedulePeriodic(long now) {
        nextSnapshotNs = now + SNAPSHOT_NS;
        nextWindowNs = now + windowNs();
        nextRecordFlushNs = now + RECORD_FLUSH_NS;
    }

    private void periodic(long now) {
        if (record != null && now - nextRecordFlushNs >= 0) {
            record.flush();
            nextRecordFlushNs = now + RECORD_FLUSH_NS;
        }
        if (now - nextWindowNs >= 0) {
            lastWindow = takeWindow();
            lastTotal = lateness.total();
            nextWindowNs = now + windowNs();
            if (config.statsIntervalMs() > 0) {
                final ClientStats s = snapshot(now, counters.connected);
                log.accept(s.reportLine(lastReport));
                lastReport = s;
            }
        }
        if (now - nextSnapshotNs >= 0) {
            published = snapshot(now, counters.connected);
            nextSnapshotNs = now + SNAPSHOT_NS;
        }
    }

    /** The lateness window: the stats interval, or a second when there is no periodic line. */
    private long windowNs() {
        return (config.statsIntervalMs() > 0 ? config.statsIntervalMs() : 1_000) * MS;
    }

    private ClientStats snapshot(long now, int connected) {
        return new ClientStats(
                (now - startNs) / MS,
                scheduleStartNs < 0 ? 0 : (now - scheduleStartNs) / MS,
                connectMs,
                connected,
                connections.length,
                counters.sent,
                counters.missedLate,
                counters.missedDown,
                counters.missedFull,
                counters.replayed,
                counters.replayDropped,
                counters.reconnects,
                counters.failovers,
                counters.failures,
                counters.errors,
                lastWindow,
                lastTotal);
    }

    // ---------------------------------------------------------------- ending

    private void shutdown() {
        final long now = System.nanoTime();
        final int connectedAtStop = counters.connected;
        for (ClientConnection c : connections) {
            // Values taken but never written are missed ticks, so that sent + missed = ticks.
            counters.missedFull += c.ring.fresh();
        }
        connector.closeAll();
        connector.finishLog();
        replyLog.finish("client: ");
        if (record != null) {
            record.close();
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // Leaving anyway.
        }
        lastTotal = lateness.total();
        lastWindow = takeWindow();
        if (hlog != null) {
            hlog.close(); // waits for its writer (bounded): the loop's last act, after the connections are closed
        }
        published = snapshot(now, connectedAtStop);
    }

    /** The lateness window, which also goes to the histogram log; starts the next one. */
    private Lateness takeWindow() {
        final long nowMs = System.currentTimeMillis();
        final Lateness l = lateness.takeWindow(hlog, windowStartMs, nowMs);
        windowStartMs = nowMs;
        return l;
    }

    private static InetSocketAddress[] sources(ClientConfig config) {
        final InetSocketAddress[] out = new InetSocketAddress[config.sourceAddresses().size()];
        int i = 0;
        for (InetAddress a : config.sourceAddresses()) {
            out[i++] = new InetSocketAddress(a, 0);
        }
        return out;
    }

    /** The startup line's servers: one, or the list with the spread and the failover rule. */
    private static String servers(ClientConfig config) {
        final int n = config.servers().size();
        if (n == 1) {
            return ServerAddresses.format(config.server());
        }
        final int c = config.connections();
        return n + " servers " + ServerAddresses.format(config.servers()) + " ("
                + (c % n == 0 ? c / n + " each" : c / n + " to " + (c / n + 1) + " each")
                + ", connection i on server i mod " + n + "; a connection moves to the next server after "
                + Connector.FAILOVER_AFTER + " failures in a row)";
    }
}
