package dev.stampede.runtime;

/**
 * When the owner of a file's buffered lines hands them to the writer thread, and when it asks for
 * an fsync: every flush interval, with a sync on every flush, every sync interval, or never. The
 * owner only hands batches over; writing and syncing happen on the writer's thread. Owned by the
 * owner thread.
 */
public final class FlushSchedule {
    /** What is due at a given time. */
    public enum Due {
        /** Nothing yet. */
        NOTHING,
        /** Hand the buffered lines to the writer. */
        FLUSH,
        /** Hand them over and have them fsynced once written. */
        FLUSH_AND_SYNC
    }

    private final Cadence flushes;
    private final long syncIntervalMs;
    private long nextSyncMs;

    /**
     * @param flushIntervalMs how often buffered lines go to the writer
     * @param syncIntervalMs how often they are fsynced: 0 with every flush, negative never
     */
    public FlushSchedule(long flushIntervalMs, long syncIntervalMs, long nowMs) {
        this.flushes = new Cadence(flushIntervalMs, nowMs);
        this.syncIntervalMs = syncIntervalMs;
        this.nextSyncMs = syncIntervalMs < 0 ? Long.MAX_VALUE : nowMs + syncIntervalMs;
    }

    /** What is due at {@code nowMs}; a flush or sync reported due is scheduled again from now. */
    public Due due(long nowMs) {
        return dueWithin(nowMs, 0);
    }

    /**
     * What is due at {@code nowMs} or would come due within {@code withinMs}, for an owner that
     * will not look again for that long (a loop about to pause for {@code --read-batch}): what it
     * released before the pause reaches the file now, not a pause later.
     */
    public Due dueWithin(long nowMs, long withinMs) {
        if (!flushes.dueWithin(nowMs, withinMs)) {
            return Due.NOTHING;
        }
        if (syncIntervalMs >= 0 && nowMs + withinMs >= nextSyncMs) {
            nextSyncMs = nowMs + syncIntervalMs;
            return Due.FLUSH_AND_SYNC;
        }
        return Due.FLUSH;
    }
}
