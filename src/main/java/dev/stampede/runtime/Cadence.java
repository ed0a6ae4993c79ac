package dev.stampede.runtime;

/**
 * Something a loop does every {@code intervalMs} on its own clock (a snapshot, a flush, a sweep):
 * {@link #due} says whether the time has come and, if so, schedules the next. No drift matters
 * here (the next is an interval after the one that ran, not after the one planned), and a loop
 * that was stalled runs it once, not once per missed interval. Owned by one thread.
 */
public final class Cadence {
    private final long intervalMs;
    private long nextMs;

    /** Every {@code intervalMs} from {@code nowMs}; an interval of 0 or less never comes due. */
    public Cadence(long intervalMs, long nowMs) {
        this.intervalMs = intervalMs;
        this.nextMs = intervalMs > 0 ? nowMs + intervalMs : Long.MAX_VALUE;
    }

    /** Whether it is due at {@code nowMs}; if so, the next is due an interval later. */
    public boolean due(long nowMs) {
        return dueWithin(nowMs, 0);
    }

    /**
     * Whether it is due at {@code nowMs} or will be within {@code withinMs} (for an owner about to
     * look away that long); if so, the next is due an interval after now.
     */
    public boolean dueWithin(long nowMs, long withinMs) {
        if (nowMs + withinMs < nextMs) {
            return false;
        }
        nextMs = nowMs + intervalMs;
        return true;
    }

    /** When it is next due (monotonic ms; {@link Long#MAX_VALUE}: never). */
    public long nextMs() {
        return nextMs;
    }

    /** Milliseconds from {@code nowMs} until it is due, 0 if it is. */
    public long remainingMs(long nowMs) {
        return Math.max(0, nextMs - nowMs);
    }
}
