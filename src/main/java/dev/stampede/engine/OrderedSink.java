package dev.stampede.engine;

/**
 * Where the {@link OrderingEngine} sends values once their fate is known.
 *
 * <p>Called synchronously on the engine's thread, from {@code offer}, {@code advance} and
 * {@code drain}. Implementations must not call back into the engine.
 */
public interface OrderedSink {

    /**
     * A final value: {@code copies} times {@code value} (1 unless duplicates are kept). Values
     * arrive in strictly ascending order across calls, each value at most once.
     */
    void onFinal(long value, int copies);

    /** A value that arrived after the watermark had passed it (and is not a duplicate). */
    void onLate(long value);
}
