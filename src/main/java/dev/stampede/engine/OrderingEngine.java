package dev.stampede.engine;

import java.util.Arrays;

/**
 * The event-time merge of SPEC 4: turns per-source non-decreasing streams, interleaved in any
 * arrival order, into one ascending (by default duplicate-free) stream of final values.
 *
 * <h2>Model</h2>
 * Every source has a {@code latest} value (the largest it sent). The <b>watermark</b> W is the
 * minimum {@code latest} over active sources: no active source will send below it, so every value
 * below W is final and is released, in order, to the {@link OrderedSink}. A source that has sent
 * nothing for the idle timeout stops holding W back until it sends again; a new source holds W
 * still until it sends or goes idle. W never lags the newest value by more than the max delay,
 * and never moves back. A value that arrives below W is a duplicate if that value was already
 * released (unique mode), else it is <em>late</em>: reported to {@link OrderedSink#onLate}.
 *
 * <h2>Cost</h2>
 * O(1) work per value and amortised O(1) per millisecond of watermark progress; memory is bounded
 * by the time window, not the number of sources (duplicates collapse):
 * <ul>
 *   <li>pending values: a ring of per-millisecond counters covering [W, W + window);</li>
 *   <li>active sources' latest values: a second ring of per-millisecond counters, plus a count of
 *       those below W, so min(latest) is a forward scan from W;</li>
 *   <li>idleness: an LRU list of active sources by last-heard time, swept from its head;</li>
 *   <li>duplicate or late: a bitmap of the values released in [W - history, W).</li>
 * </ul>
 *
 * <h2>Threading and time</h2>
 * Single-threaded, no I/O, no clock: callers pass a monotonic "now" in milliseconds, which must not
 * go backwards. Allocation-free after construction except when the source table grows.
 */
public final class OrderingEngine {
    /** {@link #offer} result: the value is pending and will be released in order. */
    public static final int ACCEPTED = 0;
    /** {@link #offer} result: the value is already pending or released; dropped. */
    public static final int DUPLICATE = 1;
    /** {@link #offer} result: the value arrived below the watermark; sent to {@code onLate}. */
    public static final int LATE = 2;

    private final OrderedSink sink;
    private final long idleTimeoutMs;
    private final long maxDelayMs;
    private final boolean keepDuplicates;

    /** Ring size P (power of two), > the widest span [W, newest] the engine allows. */
    private final int ringMask;
    private final long capacitySpan;
    private final int[] pending;
    private final int[] latestCount;
    /** One bit per ms for [W - H, W): was that value released? */
    private final long[] released;
    private final long historyMask;

    private final SourceTable sources = new SourceTable(1024);

    private boolean started;
    private long watermark;
    private long newest = Long.MIN_VALUE;
    private long holdUntilMs = Long.MIN_VALUE;
    private long pendingValues;
    private int activeSources;
    private int staleSources;
    private int openSources;

    private long offered;
    private long releasedCount;
    private long duplicates;
    private long late;

    /** An engine with the given settings, releasing final values to {@code sink}. */
    public OrderingEngine(EngineConfig config, OrderedSink sink) {
        this(config, sink, 0);
    }

    /**
     * @param extraSpanMs widest hold beyond the max delay the caller will ask for with
     *     {@link #holdUntil} (e.g. a startup grace), so the pending ring is sized for it
     */
    public OrderingEngine(EngineConfig config, OrderedSink sink, long extraSpanMs) {
        this.sink = sink;
        this.idleTimeoutMs = config.idleTimeoutMs();
        this.maxDelayMs = config.maxDelayMs();
        this.keepDuplicates = config.keepDuplicates();
        final int ring = powerOfTwoAtLeast(Math.max(1024, maxDelayMs + Math.max(0, extraSpanMs) + 2));
        this.ringMask = ring - 1;
        this.capacitySpan = ring - 2;
        this.pending = new int[ring];
        this.latestCount = new int[ring];
        final int history = powerOfTwoAtLeast(Math.max(64, config.historyMs()));
        this.historyMask = history - 1;
        this.released = new long[history / 64];
    }

    // ------------------------------------------------------------------ sources

    /** Registers a new source, which holds the watermark still until it sends or goes idle. */
    public int addSource(long nowMs) {
        final int id = sources.allocate();
        openSources++;
        sources.lastSeenMs[id] = nowMs;
        activate(id);
        return id;
    }

    /** Forgets a source (its connection closed): it no longer holds the watermark. */
    public void removeSource(int id) {
        if (!sources.isLive(id)) {
            throw new IllegalArgumentException("no such source: " + id);
        }
        if (sources.state(id) == SourceTable.ACTIVE) {
            deactivate(id);
        }
        sources.free(id);
        openSources--;
    }

    // ------------------------------------------------------------------- values

    /**
     * Takes one value from a source.
     *
     * @return {@link #ACCEPTED}, {@link #DUPLICATE} or {@link #LATE}
     */
    public int offer(int source, long value, long nowMs) {
        offered++;
        if (!started) {
            start(value - maxDelayMs);
        }
        touch(source, value, nowMs);
        if (value < watermark) {
            if (!keepDuplicates && wasReleased(value)) {
                duplicates++;
                return DUPLICATE;
            }
            late++;
            sink.onLate(value);
            return LATE;
        }
        if (value > newest) {
            newest = value;
            final long floor = value - (nowMs < holdUntilMs ? capacitySpan : maxDelayMs);
            if (floor > watermark) {
                moveTo(floor);
            }
        }
        final int slot = (int) value & ringMask;
        if (pending[slot] != 0 && !keepDuplicates) {
            duplicates++;
            return DUPLICATE;
        }
        pending[slot]++;
        pendingValues++;
        return ACCEPTED;
    }

    /**
     * Moves time forward: sources silent for the idle timeout stop holding the watermark, which
     * then advances as far as the model allows, releasing what became final.
     */
    public void advance(long nowMs) {
        while (sources.head() != SourceTable.NONE
                && sources.lastSeenMs[sources.head()] + idleTimeoutMs <= nowMs) {
            deactivate(sources.head());
        }
        if (!started) {
            return;
        }
        final boolean holding = nowMs < holdUntilMs;
        long target;
        if (holding || staleSources > 0) {
            target = watermark;
        } else if (activeSources == 0) {
            target = newest + 1;
        } else {
            target = lowestLatest();
        }
        target = Math.max(target, newest - (holding ? capacitySpan : maxDelayMs));
        moveTo(target);
    }

    /** Releases everything pending, whoever is still active (shutdown). */
    public void drain() {
        if (started && newest >= watermark) {
            moveTo(newest + 1);
        }
    }

    /**
     * Holds the watermark still until {@code untilMs} (a startup grace, so reconnecting sources
     * can replay before anything is final). While held, only the ring capacity moves it.
     */
    public void holdUntil(long untilMs) {
        holdUntilMs = untilMs;
    }

    /**
     * Resumes after an earlier run that released values up to {@code lastReleased}: the watermark
     * starts just above it, and values the caller marks with {@link #markReleased} count as
     * duplicates rather than late.
     */
    public void resumeAfter(long lastReleased) {
        if (started) {
            throw new IllegalStateException("resumeAfter must come before the first value");
        }
        start(lastReleased + 1);
        newest = lastReleased;
    }

    /** Records that {@code value} (below the watermark) was released by an earlier run. */
    public void markReleased(long value) {
        if (value < watermark && watermark - value <= historyMask) {
            setReleased(value, true);
        }
    }

    // ------------------------------------------------------------------ figures

    /** Everything below this is final; {@link Long#MIN_VALUE} before the first value. */
    public long watermark() {
        return started ? watermark : Long.MIN_VALUE;
    }

    /** Largest value seen; {@link Long#MIN_VALUE} before the first value. */
    public long newest() {
        return newest;
    }

    /** Values waiting for the watermark. */
    public long pendingValues() {
        return pendingValues;
    }

    /** Sources currently holding the watermark. */
    public int activeSources() {
        return activeSources;
    }

    /** Registered sources. */
    public int openSources() {
        return openSources;
    }

    /** Values offered. */
    public long offered() {
        return offered;
    }

    /** Values released to {@link OrderedSink#onFinal} (each copy counted). */
    public long released() {
        return releasedCount;
    }

    /** Values dropped as duplicates. */
    public long duplicates() {
        return duplicates;
    }

    /** Values reported late. */
    public long late() {
        return late;
    }

    // ----------------------------------------------------------------- internals

    private void start(long w) {
        started = true;
        watermark = w;
    }

    private void touch(int id, long value, long nowMs) {
        if (sources.state(id) == SourceTable.ACTIVE) {
            if (value > sources.latest[id]) {
                unlatch(id);
                sources.latest[id] = value;
                latch(id);
            }
            if (!sources.isTail(id)) {
                sources.unlink(id);
                sources.append(id);
            }
        } else {
            if (value > sources.latest[id]) {
                sources.latest[id] = value;
            }
            activate(id);
        }
        sources.lastSeenMs[id] = nowMs;
    }

    private void activate(int id) {
        sources.setState(id, SourceTable.ACTIVE);
        activeSources++;
        sources.append(id);
        latch(id);
    }

    private void deactivate(int id) {
        unlatch(id);
        sources.unlink(id);
        sources.setState(id, SourceTable.IDLE);
        activeSources--;
    }

    /** Counts an active source's latest value where the watermark scan will find it. */
    private void latch(int id) {
        final long v = sources.latest[id];
        if (!started || v < watermark) {
            staleSources++;
        } else {
            latestCount[(int) v & ringMask]++;
        }
    }

    private void unlatch(int id) {
        final long v = sources.latest[id];
        if (!started || v < watermark) {
            staleSources--;
        } else {
            latestCount[(int) v & ringMask]--;
        }
    }

    /** The smallest latest value of the active sources, all of which are at or above W. */
    private long lowestLatest() {
        for (long t = watermark; t <= newest; t++) {
            if (latestCount[(int) t & ringMask] != 0) {
                return t;
            }
        }
        return newest + 1;
    }

    /** Advances W to {@code target}, releasing final values in order. */
    private void moveTo(long target) {
        if (target <= watermark) {
            return;
        }
        final long ringEnd = Math.min(target, watermark + ringMask + 1);
        for (long t = watermark; t < ringEnd; t++) {
            pass(t);
        }
        // Past the ring: nothing pending or latched there, only the history needs clearing.
        if (target - ringEnd > historyMask) {
            Arrays.fill(released, 0L);
        } else {
            for (long t = ringEnd; t < target; t++) {
                setReleased(t, false);
            }
        }
        watermark = target;
    }

    /** The watermark passes millisecond t. */
    private void pass(long t) {
        final int slot = (int) t & ringMask;
        final int latched = latestCount[slot];
        if (latched != 0) {
            // Only the max delay (or capacity) moves W past an active source's latest.
            staleSources += latched;
            latestCount[slot] = 0;
        }
        final int copies = pending[slot];
        setReleased(t, copies != 0);
        if (copies != 0) {
            pending[slot] = 0;
            pendingValues -= copies;
            releasedCount += copies;
            sink.onFinal(t, copies);
        }
    }

    private boolean wasReleased(long value) {
        if (watermark - value > historyMask) {
            return false;
        }
        final long bit = value & historyMask;
        return (released[(int) (bit >>> 6)] & (1L << bit)) != 0;
    }

    private void setReleased(long value, boolean on) {
        final long bit = value & historyMask;
        final int word = (int) (bit >>> 6);
        if (on) {
            released[word] |= 1L << bit;
        } else {
            released[word] &= ~(1L << bit);
        }
    }

    private static int powerOfTwoAtLeast(long n) {
        long p = 1;
        while (p < n) {
            p <<= 1;
        }
        if (p > (1 << 30)) {
            throw new IllegalArgumentException("window too large: " + n);
        }
        return (int) p;
    }
}
