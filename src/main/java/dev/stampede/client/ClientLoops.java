package dev.stampede.client;

import dev.stampede.stats.ClientStats;
import dev.stampede.stats.ClientStats.Lateness;
import java.nio.channels.Selector;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The client's loops together ({@code --loops}; the group of {@link ClientLoop}s, not one of them):
 * what they share is the instant their schedule starts, the lateness histograms and counters merged
 * into one status line a stats interval and one summary, the histogram log, and the record file.
 * One loop is a group of one; nothing here is touched per timestamp.
 *
 * <h2>The start</h2>
 * Each loop connects its own share of the connections, then {@link #arrive arrives}; the schedule
 * of every loop starts at the instant the last one arrives (it wakes the others' selectors), so
 * that each connection's due times, and {@code --phase aligned}, are what they are with one loop.
 * Just before, with {@value #GC_BEFORE_START_FROM} connections or more, the last loop to arrive
 * runs a full collection ({@link #GC_BEFORE_START}): the connect phase leaves the young generation
 * full of connections, and the first collection after the start would otherwise copy them all
 * while sends are due: a pause of tens of milliseconds, half a tick of every connection missed
 * at 5,000 connections. Collected before the start, the run allocates next to nothing (nothing per
 * timestamp), so no collection comes while sending.
 *
 * <h2>Stats</h2>
 * Every loop closes its lateness window at the same instants ({@link #nextWindowNs}: multiples of
 * the stats interval from a common origin) and {@link #contribute contributes} it with a copy of
 * its counters; the loop whose contribution completes a round (one from every loop still running)
 * merges them ({@link Histogram#add}), writes the status line and hands the merged interval to the
 * histogram log. When the last loop {@link #leave leaves}, the final window goes to the log, and
 * the log and the record file are closed: a client whose loops have all ended has flushed
 * everything.
 *
 * <p>Thread-safe: every method that loops call takes the group's lock, once a stats interval per
 * loop (and once a record batch); {@link #published} reads volatile snapshots.
 */
final class ClientLoops {
    /** Not started yet: {@link #scheduleStartNs()}. */
    static final long NOT_YET = Long.MIN_VALUE;
    /** Connections from which the connect phase leaves enough in the heap for a collection to hurt. */
    static final int GC_BEFORE_START_FROM = 1_000;
    /**
     * Whether to collect before the start (see the class comment); the system property
     * {@code stampede.client.gcBeforeStart=false} turns it off, for measurements.
     */
    static final boolean GC_BEFORE_START =
            Boolean.parseBoolean(System.getProperty("stampede.client.gcBeforeStart", "true"));

    private final int loops;
    private final int target;
    private final long originNs;
    private final long windowNs;
    private final boolean statusLines;
    private final Consumer<String> log;
    private final RecordFile record;
    private final HistogramLog hlog;
    private final Selector[] selectors;
    private final ClientStats[] latest;
    private final boolean[] hasArrived;
    private final Histogram window;
    private final Histogram total;

    // Guarded by this.
    private int arrived;
    private int connectedAtStart;
    private long longestConnectMs;
    private String startNote = "";
    private boolean someLeft;
    private int running;
    private int contributions;
    private long windowStartMs;
    private ClientStats lastReport;
    private boolean closed;

    private volatile long scheduleStartNs = NOT_YET;
    private volatile Lateness lastWindow = Lateness.NONE;
    private volatile Lateness lastTotal = Lateness.NONE;
    /** Shared by the loops: which servers acknowledge, and how long acknowledgements take. */
    private final AckingServers ackingServers = new AckingServers(ServerAddresses.MAX_SERVERS);
    private final AckLatency ackLatency = new AckLatency();

    /**
     * @param loops how many loops share the connections
     * @param target how many connections they have together
     * @param originNs the client's start (monotonic): stats windows are multiples of {@code windowNs} from it
     * @param startMs the same instant as epoch milliseconds (the first histogram-log interval starts there)
     * @param windowNs the lateness window: the stats interval, or a second without status lines
     * @param statusLines whether a status line goes to the log every window
     * @param highestUs the lateness histograms' range
     * @param record the shared record file, or {@code null}; closed when the last loop leaves
     * @param hlog the histogram log, or {@code null}; closed when the last loop leaves
     */
    ClientLoops(int loops, int target, long originNs, long startMs, long windowNs, boolean statusLines, long highestUs,
            RecordFile record, HistogramLog hlog, Consumer<String> log) {
        if (loops < 1) {
            throw new IllegalArgumentException("at least one loop");
        }
        this.loops = loops;
        this.target = target;
        this.originNs = originNs;
        this.windowNs = windowNs;
        this.statusLines = statusLines;
        this.record = record;
        this.hlog = hlog;
        this.log = log;
        this.selectors = new Selector[loops];
        this.latest = new ClientStats[loops];
        this.hasArrived = new boolean[loops];
        this.running = loops;
        this.windowStartMs = startMs;
        this.window = new Histogram(highestUs, LatenessRecorder.SIGNIFICANT_DIGITS);
        this.total = new Histogram(highestUs, LatenessRecorder.SIGNIFICANT_DIGITS);
        this.lastReport = ClientStats.zero(target);
        for (int i = 0; i < loops; i++) {
            latest[i] = ClientStats.zero(Schedule.share(target, i, loops));
        }
    }

    /** How many loops share the connections. */
    int loops() {
        return loops;
    }

    /** Which servers have acknowledged, shared by the loops. */
    AckingServers ackingServers() {
        return ackingServers;
    }

    /** The ack latency, shared by the loops. */
    AckLatency ackLatency() {
        return ackLatency;
    }

    /** The shared record file, or {@code null}. */
    RecordFile record() {
        return record;
    }

    /** Loop {@code index} runs on {@code selector}: woken when the schedule starts. */
    synchronized void register(int index, Selector selector) {
        selectors[index] = selector;
    }

    // --------------------------------------------------------------- the start

    /**
     * Loop {@code index} has connected its share (or given up waiting, or is leaving): once every
     * loop has, the schedule starts at {@code nowNs} of the last one, the others are woken, and
     * the log says how many connected. A second arrival of a loop counts for nothing.
     *
     * @param connected how many of its connections are up
     * @param connectMs how long its connect phase took
     * @param note said after the time in the log line (the JIT warm-up), or empty; {@code null}
     *     for a loop that is ending (stopped or failed): the line is then left out
     */
    synchronized void arrive(int index, long nowNs, int connected, long connectMs, String note) {
        if (hasArrived[index]) {
            return;
        }
        hasArrived[index] = true;
        connectedAtStart += connected;
        longestConnectMs = Math.max(longestConnectMs, connectMs);
        if (note == null) {
            someLeft = true;
        } else {
            startNote += note;
        }
        if (++arrived == loops) {
            if (!someLeft) {
                log.accept("client: " + connectedAtStart + " of " + target + " connected in " + longestConnectMs + " ms"
                        + startNote + (connectedAtStart < target ? "; the others keep retrying" : ""));
            }
            long startNs = nowNs;
            if (GC_BEFORE_START && target >= GC_BEFORE_START_FROM) {
                System.gc(); // the other loops wait for the start: no send is due yet
                startNs = System.nanoTime();
            }
            scheduleStartNs = startNs;
            for (Selector s : selectors) {
                if (s != null) {
                    s.wakeup();
                }
            }
        }
    }

    /** When every loop's schedule starts (monotonic), or {@link #NOT_YET}. */
    long scheduleStartNs() {
        return scheduleStartNs;
    }

    /** The end of the stats window that contains {@code nowNs}: windows are aligned across loops. */
    long nextWindowNs(long nowNs) {
        final long since = Math.max(0, nowNs - originNs);
        return originNs + (since / windowNs + 1) * windowNs;
    }

    // ---------------------------------------------------------------- stats

    /**
     * Loop {@code index} closes a lateness window: adds it to the round's, and keeps its counters.
     * The contribution that completes the round writes the status line and the histogram-log
     * interval. {@code loopWindow} is the caller's, read here and left as it is.
     */
    synchronized void contribute(int index, Histogram loopWindow, ClientStats counters, long nowNs) {
        window.add(loopWindow);
        latest[index] = counters;
        if (++contributions >= running) {
            closeWindow(nowNs, statusLines);
        }
    }

    /**
     * Loop {@code index} has ended: its last window and final counters. The last loop to leave
     * closes the final window, the histogram log and the record file (it waits for their writers,
     * bounded).
     */
    void leave(int index, Histogram loopWindow, ClientStats counters, long nowNs) {
        final boolean last;
        synchronized (this) {
            window.add(loopWindow);
            latest[index] = counters;
            running--;
            last = running == 0;
            if (last) {
                closeWindow(nowNs, false);
                closed = true;
            } else if (contributions > 0 && contributions >= running) {
                closeWindow(nowNs, statusLines);
            }
        }
        if (last) {
            // Outside the lock: closing waits for the writer threads (bounded).
            if (record != null) {
                record.close();
            }
            if (hlog != null) {
                hlog.close();
            }
        }
    }

    private void closeWindow(long nowNs, boolean report) {
        contributions = 0;
        final long nowMs = System.currentTimeMillis();
        lastWindow = summarize(window);
        if (hlog != null) {
            hlog.offer(window, windowStartMs, nowMs);
        }
        windowStartMs = nowMs;
        total.add(window);
        window.reset();
        lastTotal = summarize(total);
        if (report) {
            final ClientStats s = withAckLatency(sum(latest, lastWindow, lastTotal));
            log.accept(s.reportLine(lastReport));
            lastReport = s;
        }
    }

    /** Whether every loop has left (and the files are closed). */
    synchronized boolean closed() {
        return closed;
    }

    /**
     * The client's figures from each loop's latest snapshot: counters summed, the lateness of the
     * last closed window and since the start merged over all loops.
     */
    ClientStats published(ClientStats[] perLoop) {
        return withAckLatency(sum(perLoop, lastWindow, lastTotal));
    }

    private ClientStats withAckLatency(ClientStats s) {
        return ackLatency.count() == 0 ? s
                : s.withAcks(s.acks().withLatency(ackLatency.p50Ms(), ackLatency.p99Ms()));
    }

    /** Counters summed; times and the connect phase's length the longest; lateness as given. */
    static ClientStats sum(ClientStats[] parts, Lateness window, Lateness total) {
        long uptime = 0;
        long run = 0;
        long connect = 0;
        int connected = 0;
        int target = 0;
        long sent = 0;
        long late = 0;
        long down = 0;
        long full = 0;
        long replayed = 0;
        long replayDropped = 0;
        long reconnects = 0;
        long failovers = 0;
        long failures = 0;
        long errors = 0;
        ClientStats.Acks acks = ClientStats.Acks.NONE;
        for (ClientStats p : parts) {
            acks = acks.plus(p.acks());
            uptime = Math.max(uptime, p.uptimeMs());
            run = Math.max(run, p.runMs());
            connect = connect < 0 || p.connectMs() < 0 ? -1 : Math.max(connect, p.connectMs());
            connected += p.connected();
            target += p.target();
            sent += p.sent();
            late += p.missedLate();
            down += p.missedDown();
            full += p.missedFull();
            replayed += p.replayed();
            replayDropped += p.replayDropped();
            reconnects += p.reconnects();
            failovers += p.failovers();
            failures += p.failures();
            errors += p.errors();
        }
        return new ClientStats(uptime, run, connect, connected, target, sent, late, down, full, replayed,
                replayDropped, reconnects, failovers, failures, errors, window, total, acks);
    }

    /** p50, p99 and max of {@code h}, or {@link Lateness#NONE} if empty. */
    static Lateness summarize(Histogram h) {
        final long n = h.getTotalCount();
        if (n == 0) {
            return Lateness.NONE;
        }
        return new Lateness(n, h.getValueAtPercentile(50), h.getValueAtPercentile(99), h.getMaxValue());
    }
}
