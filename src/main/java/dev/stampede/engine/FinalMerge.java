package dev.stampede.engine;

/**
 * Merges the outputs of several {@link OrderingEngine}s that split one set of sources between
 * them (one engine per event loop) into the one stream a single engine over all the sources would
 * release.
 *
 * <p>Each input engine releases its final values in order below its own watermark W<sub>i</sub>
 * and reports it; the merge releases, in order and once, what lies below M = min W<sub>i</sub>.
 * Inputs arrive in batches, values first and then the input's watermark, so every value an input
 * sends is at or above M when it arrives. A value an input found below its own W<sub>i</sub> (late
 * there, because another input's sources held M lower) may still be at or above M: one engine
 * would have taken it, so the merge does too. Below M a value is a duplicate if the merge released
 * it (unique mode), else late: reported to {@link OrderedSink#onLate}.
 *
 * <p>The k-way merge is a counting sort over the time window: each value sets one bit (or counter)
 * of a ring over [M, M + window), and M's progress releases them in order. So a value costs O(1)
 * whatever the number of inputs, and two inputs sending the same value leave one line.
 *
 * <p>Single-threaded, no I/O, no clock; allocation-free after construction.
 */
public final class FinalMerge implements Resumable {
    /** {@link #offer} result: the value waits for M. */
    public static final int ACCEPTED = OrderingEngine.ACCEPTED;
    /** {@link #offer} result: the value is already pending or released; dropped. */
    public static final int DUPLICATE = OrderingEngine.DUPLICATE;
    /** {@link #offer} result: the value is below M and was never released: reported late. */
    public static final int LATE = OrderingEngine.LATE;

    private final OrderedSink sink;
    private final boolean keepDuplicates;
    private final ValueWindow values;
    private final long[] inputWatermarks;

    private long watermark;
    private long newest = Long.MIN_VALUE;
    private long offered;
    private long released;
    private long duplicates;
    private long late;

    /**
     * A merge of {@code inputs} engines configured as {@code config}, releasing to {@code sink}.
     *
     * @param startMs where M starts: at or below every input's first watermark
     */
    public FinalMerge(EngineConfig config, int inputs, long startMs, OrderedSink sink) {
        if (inputs < 1) {
            throw new IllegalArgumentException("at least one input");
        }
        this.sink = sink;
        this.keepDuplicates = config.keepDuplicates();
        this.values = new ValueWindow(OrderingEngine.ringSizeFor(config), config.historyMs(), keepDuplicates);
        this.inputWatermarks = new long[inputs];
        java.util.Arrays.fill(inputWatermarks, Long.MIN_VALUE);
        this.watermark = startMs;
    }

    @Override
    public void resumeAfter(long lastReleased) {
        if (offered > 0) {
            throw new IllegalStateException("resumeAfter must come before the first value");
        }
        watermark = Math.max(watermark, lastReleased + 1);
        newest = Math.max(newest, lastReleased);
    }

    @Override
    public void markReleased(long value) {
        values.markReleased(value, watermark);
    }

    /**
     * Takes {@code copies} of a value from an input: a final value of it, or one it found late.
     *
     * @return {@link #ACCEPTED}, {@link #DUPLICATE} or {@link #LATE}
     */
    public int offer(long value, int copies) {
        offered += copies;
        if (value < watermark) {
            if (!keepDuplicates && values.wasReleased(value, watermark)) {
                duplicates += copies;
                return DUPLICATE;
            }
            return reportLate(value, copies);
        }
        if (value - watermark >= values.ringSize()) {
            return reportLate(value, copies); // beyond any window an input allows; never expected
        }
        if (!values.add(value, copies)) {
            duplicates += copies;
            return DUPLICATE;
        }
        if (value > newest) {
            newest = value;
        }
        return ACCEPTED;
    }

    /**
     * An input's watermark: it will send nothing final below it again. {@link Long#MAX_VALUE} when
     * the input has ended. Releases what became final below the new M.
     */
    public void advance(int input, long inputWatermark) {
        if (inputWatermark <= inputWatermarks[input]) {
            return;
        }
        inputWatermarks[input] = inputWatermark;
        long m = Long.MAX_VALUE;
        for (long w : inputWatermarks) {
            m = Math.min(m, w);
        }
        if (m != Long.MAX_VALUE) {
            moveTo(m);
        }
    }

    /**
     * Every input has ended: releases what is pending up to the clock; values ahead of it are
     * reported late, as {@link OrderingEngine#drain} does.
     */
    public void drain(long clockMs) {
        if (newest != Long.MIN_VALUE) {
            moveTo(Math.min(newest, clockMs) + 1);
        }
        for (long t = watermark; values.pending() > 0 && t <= newest; t++) {
            final int copies = values.take(t);
            if (copies != 0) {
                reportLate(t, copies);
            }
        }
    }

    /** M: everything below it is final and released. */
    public long watermark() {
        return watermark;
    }

    /** Values waiting for M. */
    public long pendingValues() {
        return values.pending();
    }

    /** Values offered by the inputs (each copy counted). */
    public long offered() {
        return offered;
    }

    /** Values released to {@link OrderedSink#onFinal} (each copy counted). */
    public long released() {
        return released;
    }

    /** Values dropped as duplicates: the same value from two inputs, or below M and released. */
    public long duplicates() {
        return duplicates;
    }

    /** Values reported late. */
    public long late() {
        return late;
    }

    private int reportLate(long value, int copies) {
        for (int i = 0; i < copies; i++) {
            late++;
            sink.onLate(value);
        }
        return LATE;
    }

    private void moveTo(long target) {
        if (target <= watermark) {
            return;
        }
        final long ringEnd = Math.min(target, watermark + values.ringSize());
        for (long t = watermark; t < ringEnd; t++) {
            final int copies = values.pass(t);
            if (copies != 0) {
                released += copies;
                sink.onFinal(t, copies);
            }
        }
        values.skip(ringEnd, target);
        watermark = target;
    }
}
