package dev.stampede.client;

import dev.stampede.client.ClientConnection.State;
import dev.stampede.runtime.Agent;
import dev.stampede.runtime.Cadence;
import dev.stampede.runtime.StatsCadence;
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
 * One of the client's event loops: connects its share of the connections, then sends their ticks
 * on the {@link Schedule}, reads what the server says, reconnects what fails, reports to its
 * {@link ClientLoops}.
 *
 * <p>With {@code --loops L}, loop {@code j} owns connections {@code j, j + L, j + 2L, ...}: each
 * keeps its index among all, and so its phase, its server and its source address. The loops share
 * nothing per timestamp; they meet in the {@link ClientLoops} to start their schedules at one
 * instant, once a stats interval to merge their figures, and once a record batch.
 *
 * <h2>The duty cycle</h2>
 * An {@link Agent}, run by an {@link dev.stampede.runtime.AgentRunner} with no idle strategy of its
 * own (it waits in its selector, or parks until the next send). Its stages, one after the other:
 * <ol>
 *   <li>JIT warm-up ({@link #onStart}, when the send rate calls for it; see {@link JitWarmup}).</li>
 *   <li>Connect phase: start connects (at most {@value Connector#MAX_IN_FLIGHT} in flight,
 *       {@value Connector#MAX_TLS_IN_FLIGHT} with TLS) until
 *       every connection is up or has failed once; the schedule then starts, so that a healthy
 *       run does not begin with ticks missed while 19,000 connections come up.</li>
 *   <li>Awaiting the shared start: until every loop has connected its share ({@link ClientLoops}).</li>
 *   <li>Schedule: send every tick that is due; sleep until the next one, or rather until the
 *       last one due within {@link #coalesceNs} after it ({@link Schedule#wakeAt}), so that
 *       close sends share a wake-up. {@code Selector.select} only sleeps in whole milliseconds,
 *       so waits shorter than {@value #SELECT_MIN_NS} ns park the thread instead
 *       ({@code LockSupport.parkNanos}, microsecond precision); longer ones select (handling
 *       socket events meanwhile) until about a millisecond before.</li>
 *   <li>About every {@value #HOUSEKEEPING_NS} ns, on the wake-up of a send where there is one:
 *       poll the sockets (replies, closes, writable), start due reconnects, flush the record
 *       file, publish stats.</li>
 * </ol>
 *
 * <h2>Threading</h2>
 * Everything runs on the loop's own thread, which owns the selector, its connections, its
 * counters and its record batch: no lock per timestamp. It takes the {@link ClientLoops}'s lock
 * once a stats interval and the record file's once a batch. Other threads only ask it to stop
 * (through its runner) and read {@link #stats()}.
 */
final class ClientLoop implements Agent {
    /** Where the loop is in its run, after the warm-up of {@link #onStart}. */
    private enum Stage {
        /** Connecting its share of the connections. */
        CONNECTING,
        /** Connected (or given up waiting): waiting for the other loops, for the shared start. */
        AWAITING_START,
        /** Sending on the schedule until it ends. */
        SENDING
    }

    private static final long MS = 1_000_000L;
    private static final long HOUSEKEEPING_NS = 10 * MS;
    private static final long RECORD_FLUSH_MS = 200;
    private static final long SELECT_MIN_NS = 2 * MS;
    /**
     * At most how much later than its due time a send may go out to share a wake-up with the sends
     * due before it: 1 ms (the system property {@code stampede.client.coalesceUs} sets another, 0
     * for none, for measurements), and never more than a twentieth of the interval
     * ({@link #coalesceNs}). A wake-up costs a loop about 20 µs of CPU here (timer, two context
     * switches, the futex calls of {@code parkNanos}); at 50 connections x 20/s (a send due every
     * millisecond) a 1 ms window halves the wake-ups, and at 5,000 connections one wake-up sends
     * about a hundred. See {@link Schedule#wakeAt}.
     */
    static final long COALESCE_MAX_NS = Long.getLong("stampede.client.coalesceUs", 1_000) * 1_000L;
    private static final long CONNECT_PHASE_BASE_NS = 10_000 * MS;
    private static final int READ_BUFFER_BYTES = 4096;
    private static final long JIT_SETTLE_MAX_NS = 1_500 * MS;
    private static final long JIT_SETTLE_POLL_MS = 20;

    private final ClientConfig config;
    private final int index;
    private final ClientLoops group;
    private final Selector selector;
    private final ClientConnection[] connections;
    private final ClientCounters counters = new ClientCounters();
    private final Connector connector;
    private final Sender sender;
    private final LatenessRecorder lateness;
    private final RecordBatch record;
    private final Consumer<String> log;
    private final RateLimitedLog replyLog;
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final long intervalNs;
    private final long coalesceNs;
    private final long startNs;
    private final boolean warmUpFirst;

    private Stage stage = Stage.CONNECTING;
    private Schedule schedule;
    private long connectDeadlineNs;
    private long scheduleStartNs = -1;
    private long connectMs = -1;
    private long warmUpMs;
    private long nextHousekeepingNs;
    private Cadence snapshots;
    private Cadence recordFlushes;
    private long nextWindowNs;

    private volatile Thread runner;
    /** Set by {@link #onStopRequested}: the warm-up, which runs inside one call, looks at it. */
    private volatile boolean stopRequested;
    private volatile ClientStats published;

    /**
     * @param index which of the group's loops this is: it owns connections {@code index + m × loops}
     * @param group what the loops share (the record file and histogram log are the group's)
     * @param warmUpFirst run a {@link JitWarmup} before connecting when the send rate calls for it
     */
    ClientLoop(ClientConfig config, int index, ClientLoops group, Selector selector, Consumer<String> log,
            boolean warmUpFirst) {
        this.config = config;
        this.index = index;
        this.group = group;
        this.selector = selector;
        this.record = group.record() == null ? null : new RecordBatch(group.record());
        this.log = log;
        this.warmUpFirst = warmUpFirst && JitWarmup.worthIt(config);
        this.intervalNs = config.intervalMs() * MS;
        this.coalesceNs = coalesceNs(intervalNs);
        this.startNs = System.nanoTime();
        this.replyLog = new RateLimitedLog(log, 1_000 * MS, "server replies");
        this.lateness = new LatenessRecorder(LatenessRecorder.highestUs(config));
        final int loops = group.loops();
        this.connections = new ClientConnection[Schedule.share(config.connections(), index, loops)];
        for (int m = 0; m < connections.length; m++) {
            connections[m] = new ClientConnection(index + m * loops,
                    new ReplayRing(config.replayEntries(), ClientConfig.BACKLOG_VALUES, config.intervalMs()));
        }
        this.sender = new Sender(counters, record);
        this.connector = new Connector(selector, config.servers().toArray(new InetSocketAddress[0]), sources(config), config.sendBufferBytes(),
                connections, counters, new Backoff(System.nanoTime()), this::onUp, log);
        sender.connector(connector);
        this.published = ClientStats.zero(connections.length);
        group.register(index, selector);
        connector.useTls(config.tls());
    }

    /**
     * The coalescing window at {@code intervalNs}: {@link #COALESCE_MAX_NS}, or a twentieth of the
     * interval if that is less, so that coalescing never makes a send nearly an interval late
     * (which would count it as missed).
     */
    static long coalesceNs(long intervalNs) {
        return Math.max(0, Math.min(COALESCE_MAX_NS, intervalNs / 20));
    }

    @Override
    public String roleName() {
        return "client: event loop";
    }

    /** The runner asks the loop to stop: it closes the connections, flushes the record file, and ends. */
    @Override
    public void onStopRequested() {
        stopRequested = true;
        selector.wakeup();
        final Thread t = runner;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** The latest counters, at most {@value StatsCadence#SNAPSHOT_MS} ms old (final once the loop ended). */
    ClientStats stats() {
        return published;
    }

    /** The warm-up (if any), then the start of the connect phase. */
    @Override
    public void onStart() throws IOException {
        runner = Thread.currentThread();
        if (warmUpFirst) {
            warmUp();
        }
        beginConnectPhase();
    }

    @Override
    public int doWork() throws IOException {
        if (stage == Stage.SENDING) {
            if (schedule.finished()) {
                return DONE;
            }
            step(schedule);
            return 1;
        }
        if (stage == Stage.CONNECTING) {
            connecting();
        } else {
            awaitingStart();
        }
        return 1;
    }

    @Override
    public void onClose() {
        shutdown();
    }

    // ------------------------------------------------------------------ phases

    private void beginConnectPhase() {
        final int sources = config.sourceAddresses().size();
        if (index == 0) {
            log.accept("client: connecting " + config.connections() + " to " + servers(config)
                    + (sources == 0 ? "" : " from " + sources + " source addresses")
                    + ", every " + config.intervalMs() + " ms each, phase "
                    + config.phase().name().toLowerCase(Locale.ROOT)
                    + (config.durationMs() > 0 ? ", for " + config.durationMs() + " ms" : ", until stopped")
                    + (group.loops() > 1 ? ", on " + group.loops() + " loops" : ""));
        }
        final long now = System.nanoTime();
        connectDeadlineNs = now + CONNECT_PHASE_BASE_NS + connections.length * (MS / 2);
        schedulePeriodic(now);
    }

    /**
     * One cycle of the connect phase: start connects, handle socket events; once every connection
     * is up or has failed once (or the phase's time is up), arrive at the shared start.
     */
    private void connecting() throws IOException {
        final long now = System.nanoTime();
        if (!connector.allTried()) {
            if (now < connectDeadlineNs) {
                connector.pump(now);
                selector.select(onReady, 10);
                periodic(System.nanoTime());
                return;
            }
            log.accept("client: " + (group.loops() > 1 ? "loop " + index + ": " : "") + "only "
                    + counters.connected + " of " + connections.length + " connected after "
                    + (now - startNs) / MS + " ms; starting anyway");
        }
        connectMs = (now - startNs) / MS;
        group.arrive(index, now, counters.connected, connectMs,
                warmUpFirst ? " (after " + warmUpMs + " ms of JIT warm-up)" : "");
        stage = Stage.AWAITING_START;
    }

    /**
     * One cycle of waiting, handling socket events and reconnects, until every loop has connected
     * its share: the schedules all start at that instant.
     */
    private void awaitingStart() throws IOException {
        if (group.scheduleStartNs() != ClientLoops.NOT_YET) {
            startSchedule();
            return;
        }
        connector.pump(System.nanoTime());
        selector.select(onReady, 10); // the last loop to arrive wakes the selector
        periodic(System.nanoTime());
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

    private void startSchedule() {
        scheduleStartNs = group.scheduleStartNs();
        final long endNs = config.durationMs() > 0 ? scheduleStartNs + config.durationMs() * MS : Long.MAX_VALUE;
        schedule = new Schedule(scheduleStartNs, intervalNs, config.connections(), index, group.loops(),
                config.phase(), endNs);
        nextHousekeepingNs = scheduleStartNs;
        stage = Stage.SENDING;
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
        sleep(Math.min(schedule.wakeAt(coalesceNs), nextHousekeepingNs + HOUSEKEEPING_NS / 2) - now);
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
        snapshots = new Cadence(StatsCadence.SNAPSHOT_MS, now / MS);
        nextWindowNs = group.nextWindowNs(now);
        recordFlushes = new Cadence(RECORD_FLUSH_MS, now / MS);
    }

    private void periodic(long now) {
        if (recordFlushes.due(now / MS) && record != null) {
            record.flush();
        }
        if (now - nextWindowNs >= 0) {
            // Every loop's windows end at the same instants: the group merges them into one line.
            group.contribute(index, lateness.window(), snapshot(now, counters.connected), now);
            lateness.reset();
            nextWindowNs = group.nextWindowNs(now);
        }
        if (snapshots.due(now / MS)) {
            published = snapshot(now, counters.connected);
        }
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
                Lateness.NONE,
                Lateness.NONE); // the group's merged lateness replaces these
    }

    // ---------------------------------------------------------------- ending

    private void shutdown() {
        final long now = System.nanoTime();
        if (connectMs < 0 && stopRequested) {
            connectMs = (now - startNs) / MS; // stopped in the connect phase: it lasted until now
        }
        final int connectedAtStop = counters.connected;
        for (ClientConnection c : connections) {
            // Values taken but never written are missed ticks, so that sent + missed = ticks.
            counters.missedFull += c.ring.fresh();
        }
        connector.closeAll();
        connector.finishLog();
        replyLog.finish("client: ");
        if (record != null) {
            record.flush();
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // Leaving anyway.
        }
        group.arrive(index, now, connectedAtStop, connectMs, null); // a loop that failed early must not hold the others
        final ClientStats last = snapshot(now, connectedAtStop);
        published = last;
        // The last loop to leave closes the record file and the histogram log (it waits for their
        // writers, bounded): the loop's last act, after the connections are closed.
        group.leave(index, lateness.window(), last, now);
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
