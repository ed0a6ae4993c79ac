package dev.stampede.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Waits on a condition with a deadline, polling: tests never sleep and hope. */
public final class Await {
    private Await() {}

    /** Polls {@code condition} every 10 ms; fails with {@code what} if it is not true by the deadline. */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what);
            }
            pause();
        }
    }

    /** Like {@link #until}, with the last observed state in the failure message. */
    public static <T> void until(String what, Duration timeout, Supplier<T> state, java.util.function.Predicate<T> ok) {
        final long deadline = System.nanoTime() + timeout.toNanos();
        T last = state.get();
        while (!ok.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for: " + what
                        + "; last seen: " + last);
            }
            pause();
            last = state.get();
        }
    }

    private static void pause() {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Waits until {@code file} has grown by more than {@code bytes} from its size now: data flows. */
    public static void fileGrows(java.nio.file.Path file, long bytes, Duration timeout) {
        final long before = size(file);
        until(file.getFileName() + " grows by " + bytes + " bytes", timeout, () -> size(file) > before + bytes);
    }

    private static long size(java.nio.file.Path file) {
        try {
            return java.nio.file.Files.exists(file) ? java.nio.file.Files.size(file) : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
