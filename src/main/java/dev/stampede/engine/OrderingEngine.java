package dev.stampede.engine;

/**
 * The event-time merge (docs/DESIGN.md, "Ordering model"): turns per-source non-decreasing
 * streams, interleaved in any arrival order, into one ascending (by default duplicate-free) stream
 * of final values.
 *
 * <h2>Model</h2>
 * Every source has a {@code latest} value (the largest it sent). The <b>watermark</b> W is the
 * minimum {@code latest} over active sources: no active source will send below it, so every value
 * below W is final and is released, in order, to the {@link OrderedSink}. A source that has sent
 * nothing for the idle timeout stops holding W back until it sends again; a new source holds W
 * still until it sends or goes idle. Two bounds tie W to the caller's clock (event time, epoch
 * milliseconds):
 * <ul>
 *   <li>W never lags the clock by more than the max delay (the hold lag while a hold lasts);</li>
 *   <li>W never passes the clock: a value ahead of the clock waits for the clock to reach it, so
 *       one source's clock, however far ahead, never makes another source's values late. A value
 *       more than {@link EngineConfig#maxAheadMs()} ahead is refused ({@link #AHEAD}).</li>
 * </ul>
 * W never moves back. A value that arrives below W is a duplicate if that value was already
 * released (unique mode), else it is <em>late</em>: reported to {@link OrderedSink#onLate}.
 *
 * <h2>Cost</h2>
 * O(1) work per value and amortised O(1) per millisecond of watermark progress; memory is bounded
 * by the time window (hold lag + max ahead), not the number of sources (duplicates collapse):
 * <ul>
 *   <li>pending values: a ring over [W, W + window) of one bit per millisecond (one counter when
 *       duplicates are kept);</li>
 *   <li>active sources' latest values: a ring of per-millisecond counters, plus a count of those
 *       below W ("stale"), so min(latest) is a forward scan from W; its pages exist only where a
 *       counter is not zero ({@link PagedCounterRing}), a few of the ring's 128 with the defaults;</li>
 *   <li>idleness: an LRU list of active sources by last-heard time, swept from its head;</li>
 *   <li>duplicate or late: a bitmap of the values released in [W - history, W).</li>
 * </ul>
 *
 * <h2>Threading and time</h2>
 * Single-threaded, no I/O, no clock of its own: callers pass a monotonic {@code nowMs} (idleness,
 * holds; must not go backwards) and the event-time {@code clockMs} (may step either way: W then
 * waits, or jumps to the max-delay bound). Allocation-free after construction except when the
 * source table grows.
 */
public final class OrderingEngine implements Resumable {
    /** {@link #offer} result: the value is pending and will be released in order. */
    public static final int ACCEPTED = 0;
    /** {@link #offer} result: the value is already pending or released; dropped. */
    public static final int DUPLICATE = 1;
    /** {@link #offer} result: the value arrived below the watermark; sent to {@code onLate}. */
    public static final int LATE = 2;
    /** {@link #offer} result: further ahead of the clock than the window holds; refused, not counted. */
    public static final int AHEAD = 3;

    private final OrderedSink sink;
    private final long idleTimeoutMs;
    private final long maxDelayMs;
    private final long maxAheadMs;
    private final long holdLagMs;
    private final boolean keepDuplicates;

    /** Ring size P (power of two) > hold lag + max ahead: every span [W, value] the engine allows. */
    private final int ringMask;
    /** Pending values over [W, W + P) and the released history below W. */
    private final ValueWindow values;
    /** Active sources whose latest value is that millisecond, over the same ring (in pages: mostly empty). */
    private final PagedCounterRing latestCount;

    private final SourceTable sources = new SourceTable(1024);

    private boolean started;
    private long watermark;
    private long newest = Long.MIN_VALUE;
    /** The lowest latest value of the active sources as of the last advance; see {@link #frontier}. */
    private long frontier = Long.MIN_VALUE;
    private long holdUntilMs = Long.MIN_VALUE;
    private int activeSources;
    private int staleSources;
    private int openSources;

    private long offered;
    private long releasedCount;
    private long duplicates;
    private long late;
    private long ahead;

    /** An engine with the given settings, releasing final values to {@code sink}. */
    public OrderingEngine(EngineConfig config, OrderedSink sink) {
        this.sink = sink;
        this.idleTimeoutMs = config.idleTimeoutMs();
        this.maxDelayMs = config.maxDelayMs();
        this.maxAheadMs = config.maxAheadMs();
        this.holdLagMs = config.holdLagMs();
        this.keepDuplicates = config.keepDuplicates();
        final int ring = ringSizeFor(config);
        this.ringMask = ring - 1;
        this.values = new ValueWindow(ring, config.historyMs(), keepDuplicates);
        this.latestCount = new PagedCounterRing(ring);
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
     * @param nowMs monotonic time (the source is heard now)
     * @param clockMs event-time clock, for the bounds of W
     * @return {@link #ACCEPTED}, {@link #DUPLICATE}, {@link #LATE} or {@link #AHEAD}
     */
    public int offer(int source, long value, long nowMs, long clockMs) {
        final int result = offerValue(value, nowMs, clockMs);
        if (result != AHEAD) {
            touch(source, value, nowMs);
        }
        return result;
    }

    /**
     * As {@link #offer}, but the value's source is not told: the caller then calls {@link #touch}
     * once for a run of values from one source (one socket read) with the highest it offered that
     * was not {@link #AHEAD}. The same as offering them one by one, as long as the engine does not
     * {@link #advance} in between (which judges by the sources' latest values); at several lines a
     * read, it spares the source table's bookkeeping for all but one of them.
     */
    public int offerValue(long value, long nowMs, long clockMs) {
        if (value - clockMs > maxAheadMs) {
            ahead++;
            return AHEAD;
        }
        offered++;
        // The lower bound first: the value must land inside the ring before it is latched.
        keepUp(nowMs, clockMs);
        if (value < watermark) {
            if (!keepDuplicates && values.wasReleased(value, watermark)) {
                duplicates++;
                return DUPLICATE;
            }
            late++;
            sink.onLate(value);
            return LATE;
        }
        if (value > newest) {
            newest = value;
        }
        if (!values.add(value, 1)) {
            duplicates++;
            return DUPLICATE;
        }
        return ACCEPTED;
    }

    /**
     * A source says it will send nothing below {@code watermark} (in the merge, a node's published
     * watermark): while it is active, it holds the watermark as if it had sent that value, with
     * nothing to release. Whether it is active does not change: a promise is not a value (a node
     * that publishes watermarks but no values goes idle like a silent connection). A watermark
     * further ahead of the clock than the window is taken as the window's end.
     */
    public void promise(int source, long watermark, long nowMs, long clockMs) {
        keepUp(nowMs, clockMs);
        final long v = Math.min(watermark, clockMs + maxAheadMs);
        if (v - 1 > newest) {
            newest = v - 1; // nothing below v will come from it: as far as it goes, everything is seen
        }
        if (v <= sources.latest[source]) {
            return;
        }
        final boolean active = sources.state(source) == SourceTable.ACTIVE;
        if (active) {
            unlatch(source);
        }
        sources.latest[source] = v;
        if (active) {
            latch(source);
        }
    }

    /**
     * The source counts as heard now, without a value (in the merge, a node whose partition still
     * has records to read is not idle, however long reading them takes).
     */
    public void heard(int source, long nowMs) {
        if (sources.state(source) != SourceTable.ACTIVE) {
            activate(source);
        } else if (!sources.isTail(source)) {
            sources.unlink(source);
            sources.append(source);
        }
        sources.lastSeenMs[source] = nowMs;
    }

    /**
     * Moves time forward: sources silent for the idle timeout stop holding the watermark, which
     * then advances as far as the model allows, releasing what became final.
     */
    public void advance(long nowMs, long clockMs) {
        advance(nowMs, clockMs, Long.MAX_VALUE, Long.MIN_VALUE);
    }

    /**
     * As {@link #advance(long, long)}, for one of several engines whose outputs are merged (one per
     * event loop): their sources together hold the watermark as one engine's would. The peers'
     * figures may be a little old; that only keeps W lower for a moment.
     *
     * @param peersFrontier the lowest {@link #frontier} of the other engines ({@link Long#MAX_VALUE}
     *     if none holds anything)
     * @param peersNewest the highest {@link #newest} of the other engines
     */
    public void advance(long nowMs, long clockMs, long peersFrontier, long peersNewest) {
        while (sources.head() != SourceTable.NONE
                && sources.lastSeenMs[sources.head()] + idleTimeoutMs <= nowMs) {
            deactivate(sources.head());
        }
        keepUp(nowMs, clockMs);
        if (nowMs < holdUntilMs || staleSources > 0) {
            frontier = watermark;
            return; // only the lower bound moves W (done)
        }
        final long bound = Math.min(clockMs, Math.max(newest, peersNewest) + 1);
        frontier = activeSources == 0 ? Long.MAX_VALUE : lowestLatestBelow(bound);
        moveTo(Math.min(Math.min(frontier, bound), peersFrontier));
    }

    /**
     * Releases everything pending up to the clock, whoever is still active (a clean stop). Values
     * ahead of the clock are reported late rather than released: written now, they would put the
     * file's end in the future, and a restart resumes from the file's end.
     */
    public void drain(long clockMs) {
        if (!started) {
            return;
        }
        moveTo(Math.min(newest, clockMs) + 1);
        frontier = Long.MAX_VALUE;
        for (long t = watermark; values.pending() > 0 && t <= newest; t++) {
            final int copies = values.take(t);
            for (int i = 0; i < copies; i++) {
                late++;
                sink.onLate(t);
            }
        }
    }

    /**
     * Holds the watermark at the hold lag below the clock until monotonic time {@code untilMs} (a
     * startup grace, so reconnecting sources can replay before anything is final).
     */
    public void holdUntil(long untilMs) {
        holdUntilMs = untilMs;
    }

    /**
     * Resumes after an earlier run that released values up to {@code lastReleased}: the watermark
     * starts just above it (or at the clock's lower bound, if that is higher), and values the caller
     * marks with {@link #markReleased} count as duplicates rather than late.
     */
    @Override
    public void resumeAfter(long lastReleased) {
        if (started) {
            throw new IllegalStateException("resumeAfter must come before the first value");
        }
        start(lastReleased + 1);
        newest = lastReleased;
    }

    /** Records that {@code value} (below the watermark) was released by an earlier run. */
    @Override
    public void markReleased(long value) {
        values.markReleased(value, watermark);
    }

    // ------------------------------------------------------------------ figures

    /** Everything below this is final; {@link Long#MIN_VALUE} before the first value or tick. */
    public long watermark() {
        return started ? watermark : Long.MIN_VALUE;
    }

    /** Values waiting for the watermark. */
    public long pendingValues() {
        return values.pending();
    }

    /**
     * What this engine's sources hold the watermark at, as of the last {@link #advance}: the lowest
     * latest value of its active sources ({@link Long#MAX_VALUE} if none is active; capped at that
     * advance's bound), or the watermark itself while a hold or a stale source keeps it still. The
     * figure several engines share so that their sources hold one watermark together.
     */
    public long frontier() {
        return frontier;
    }

    /** The largest value offered or promised so far ({@link Long#MIN_VALUE} before any). */
    public long newest() {
        return newest;
    }

    /** Sources currently holding the watermark. */
    public int activeSources() {
        return activeSources;
    }

    /** Registered sources. */
    public int openSources() {
        return openSources;
    }

    /** Values offered (those refused as {@link #AHEAD} not included). */
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

    /** Values refused as too far ahead of the clock. */
    public long refusedAhead() {
        return ahead;
    }

    // ----------------------------------------------------------------- internals

    private void start(long w) {
        started = true;
        watermark = w;
    }

    /** The lower bound: W lags the clock by at most the max delay, or the hold lag while held. */
    private void keepUp(long nowMs, long clockMs) {
        final long floor = clockMs - (nowMs < holdUntilMs ? holdLagMs : maxDelayMs);
        if (!started) {
            start(floor);
        } else if (floor > watermark) {
            moveTo(floor);
        }
    }

    /**
     * Source {@code id} sent {@code value} (or, after {@link #offerValue}, values up to it): it is
     * active and heard now, and its latest value is at least {@code value}.
     */
    public void touch(int id, long value, long nowMs) {
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
            latestCount.increment(v);
        }
    }

    private void unlatch(int id) {
        final long v = sources.latest[id];
        if (!started || v < watermark) {
            staleSources--;
        } else {
            latestCount.decrement(v);
        }
    }

    /** The smallest latest value of the active sources (all at or above W), or {@code bound}. */
    private long lowestLatestBelow(long bound) {
        return latestCount.firstNonZero(watermark, bound);
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
        values.skip(ringEnd, target);
        watermark = target;
    }

    /** The watermark passes millisecond t. */
    private void pass(long t) {
        // Only the lower bound moves W past an active source's latest: that source is stale.
        staleSources += latestCount.clear(t);
        final int copies = values.pass(t);
        if (copies != 0) {
            releasedCount += copies;
            sink.onFinal(t, copies);
        }
    }

    /** The ring size an engine with {@code config} needs: more than the hold lag plus max ahead. */
    static int ringSizeFor(EngineConfig config) {
        return ValueWindow.powerOfTwoAtLeast(Math.max(1024, config.holdLagMs() + config.maxAheadMs() + 2));
    }
}
