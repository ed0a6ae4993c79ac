package dev.stampede.engine;

/**
 * An ordered stream that can continue where an earlier run's output file ends: its watermark
 * starts above the file's last value, and the file's tail seeds its duplicate filter.
 */
public interface Resumable {

    /**
     * Continues after an earlier run that released values up to {@code lastReleased}. Must come
     * before the first value.
     */
    void resumeAfter(long lastReleased);

    /** Records that {@code value} (below the watermark) was released by an earlier run. */
    void markReleased(long value);
}
