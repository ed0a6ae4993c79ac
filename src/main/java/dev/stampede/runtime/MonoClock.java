package dev.stampede.runtime;

import java.util.concurrent.TimeUnit;

/** The monotonic clock every loop paces itself by ({@link System#nanoTime()} in milliseconds). */
public final class MonoClock {
    private MonoClock() {
    }

    /** Monotonic milliseconds: only differences mean anything. */
    public static long monoMs() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }
}
