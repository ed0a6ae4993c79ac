package dev.stampede.client;

import dev.stampede.client.ClientConnection.State;
import dev.stampede.runtime.Agent;
import dev.stampede.runtime.Cadence;
import dev.stampede.runtime.StatsCadence;
import dev.stampede.stats.ClientStats;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
 *   <li>The schedule's run ({@link ScheduleRun}): every due tick sent, housekeeping between.</li>
 * </ol>
 *
 * <h2>Rooms</h2>
 * The loop dispatches; each job has its room: {@link Connector} brings connections up and handles
 * their failures (back-off, failover), {@link Sender} writes a connection's unsent lines from its
 * {@link ReplayRing}, {@link Receiver} reads what the servers send back, {@link ScheduleRun} paces
 * the sends, {@link LoopStats} keeps the figures.
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
    private static final long RECORD_FLUSH_MS = 200;
    private static final long CONNECT_PHASE_BASE_NS = 10_000 * MS;
    private static final long SELECT_MS = 10;

    private final ClientConfig config;
    private final int index;
    private final ClientLoops group;
    private final Selector selector;
    private final ClientConnection[] connections;
    private final ClientCounters counters = new ClientCounters();
    private final Connector connector;
    private final Sender sender;
    private final Receiver receiver;
    private final Acknowledgements acks;
    private final LatenessRecorder lateness;
    private final LoopStats stats;
    private final RecordBatch record;
    private final Consumer<String> log;
    private final Consumer<SelectionKey> onReady = this::onReady;
    private final ScheduleRun.Housekeeping housekeeping = this::housekeeping;
    private final long startNs;
    private final boolean warmUpFirst;

    private Stage stage = Stage.CONNECTING;
    private ScheduleRun run;
    private long connectDeadlineNs;
    private long warmUpMs;
    private Cadence recordFlushes;

    private volatile Thread runner;
    /** Set by {@link #onStopRequested}: the warm-up, which runs inside one call, looks at it. */
    private volatile boolean stopRequested;

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
        this.startNs = System.nanoTime();
        this.lateness = new LatenessRecorder(LatenessRecorder.highestUs(config));
        final int loops = group.loops();
        this.connections = new ClientConnection[Schedule.share(config.connections(), index, loops)];
        for (int m = 0; m < connections.length; m++) {
            connections[m] = new ClientConnection(index + m * loops,
                    new ReplayRing(config.replayEntries(), config.unackedEntries(), ClientConfig.BACKLOG_VALUES,
                            config.intervalMs()));
        }
        this.stats = new LoopStats(index, group, counters, lateness, connections, startNs);
        this.sender = new Sender(counters, record);
        this.connector = new Connector(selector, config.servers().toArray(new InetSocketAddress[0]), sources(config),
                config.sendBufferBytes(), connections, counters, new Backoff(System.nanoTime()), this::onUp, log);
        sender.connector(connector);
        connector.connectTimeout(config.connectTimeoutMs() * MS);
        this.acks = new Acknowledgements(config.acks(), config.ackTimeoutMs() * MS, group.ackingServers(),
                group.ackLatency(), counters);
        acks.connector(connector);
        this.receiver = new Receiver(counters, connector, acks, log);
        group.register(index, selector);
        connector.useTls(config.tls());
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
        return stats.latest();
    }

    /** The warm-up (if any), then the start of the connect phase. */
    @Override
    public void onStart() throws IOException {
        runner = Thread.currentThread();
        if (warmUpFirst) {
            warmUpMs = JitWarmup.warmUpAndSettle(config, selector, onReady, () -> stopRequested, log);
        }
        beginConnectPhase();
    }

    @Override
    public int doWork() throws IOException {
        if (stage == Stage.SENDING) {
            if (run.finished()) {
                return DONE;
            }
            run.step(); // a method of its own: the JIT compiles it early, no OSR wait
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

    // ------------------------------------------------------------------ stages

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
        stats.begin(now);
        recordFlushes = new Cadence(RECORD_FLUSH_MS, now / MS);
    }

    /**
     * One cycle of the connect phase: start connects, handle socket events; once every connection
     * is up or has failed once (or the phase's time is up), arrive at the shared start.
     */
    private void connecting() throws IOException {
        final long now = System.nanoTime();
        if (!connector.allTried()) {
            if (now < connectDeadlineNs) {
                pollSockets(now);
                return;
            }
            log.accept("client: " + (group.loops() > 1 ? "loop " + index + ": " : "") + "only "
                    + counters.connected + " of " + connections.length + " connected after "
                    + (now - startNs) / MS + " ms; starting anyway");
        }
        stats.connectMs((now - startNs) / MS);
        group.arrive(index, now, counters.connected, stats.connectMs(),
                warmUpFirst ? " (after " + warmUpMs + " ms of JIT warm-up)" : "");
        stage = Stage.AWAITING_START;
    }

    /**
     * One cycle of waiting, handling socket events and reconnects, until every loop has connected
     * its share: the schedules all start at that instant.
     */
    private void awaitingStart() throws IOException {
        final long startAt = group.scheduleStartNs();
        if (startAt == ClientLoops.NOT_YET) {
            pollSockets(System.nanoTime()); // the last loop to arrive wakes the selector
            return;
        }
        stats.scheduleStarted(startAt);
        final long intervalNs = config.intervalMs() * MS;
        final long endNs = config.durationMs() > 0 ? startAt + config.durationMs() * MS : Long.MAX_VALUE;
        final Schedule schedule = new Schedule(startAt, intervalNs, config.connections(), index, group.loops(),
                config.phase(), endNs);
        run = new ScheduleRun(schedule, intervalNs, connections, counters, lateness, sender, selector, onReady,
                housekeeping, startAt);
        stage = Stage.SENDING;
    }

    /** Before the schedule runs: connects started, socket events handled for a moment, what is periodic. */
    private void pollSockets(long now) throws IOException {
        connector.pump(now);
        selector.select(onReady, SELECT_MS);
        periodic(System.nanoTime());
    }

    /** Between sends ({@link ScheduleRun}): socket events, due reconnects, what is periodic. */
    private void housekeeping(long now) throws IOException {
        selector.selectNow(onReady);
        connector.pump(now);
        periodic(now);
    }

    private void periodic(long now) {
        acks.check(connections, now);
        if (recordFlushes.due(now / MS) && record != null) {
            record.flush();
        }
        stats.tick(now);
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
            receiver.read(c, now);
        }
        if ((ops & SelectionKey.OP_WRITE) != 0 && c.state == State.UP) {
            sender.flush(c);
        }
    }

    /**
     * A connection is up (again): send the opener, then what it must send again (see {@link
     * Acknowledgements#onUp}); its ticks follow.
     */
    private void onUp(ClientConnection c) {
        acks.onUp(c);
        if (c.ring.hasUnsent()) {
            sender.flush(c);
        }
    }

    // ---------------------------------------------------------------- ending

    private void shutdown() {
        final long now = System.nanoTime();
        if (stats.connectMs() < 0 && stopRequested) {
            stats.connectMs((now - startNs) / MS); // stopped in the connect phase: it lasted until now
        }
        final int connectedAtStop = counters.connected;
        for (ClientConnection c : connections) {
            // Values taken but never written are missed ticks, so that sent + missed = ticks.
            counters.missedFull += c.ring.fresh();
        }
        connector.closeAll();
        connector.finishLog();
        receiver.finishLog();
        if (record != null) {
            record.flush();
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // Leaving anyway.
        }
        // A loop that failed early must not hold the others.
        group.arrive(index, now, connectedAtStop, stats.connectMs(), null);
        // The last loop to leave closes the record file and the histogram log (it waits for their
        // writers, bounded): the loop's last act, after the connections are closed.
        stats.leave(now, connectedAtStop);
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
                + Connector.FAILOVER_AFTER + " failures in a row"
                + (config.acks() && config.ackTimeoutMs() > 0
                        ? ", or at once after " + config.ackTimeoutMs() + " ms without an acknowledgement" : "")
                + ")";
    }
}
