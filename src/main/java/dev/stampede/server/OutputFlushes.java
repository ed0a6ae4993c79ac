package dev.stampede.server;

import dev.stampede.runtime.FlushSchedule;
import dev.stampede.store.FsyncPolicy;
import dev.stampede.store.OutputStore;

/**
 * When the owner of the {@link OutputStore} (the one loop, or the {@link LoopMerge}) hands its
 * buffered lines to the writer threads, and when it asks them to fsync: every
 * {@code --flush-interval}, with a sync on every flush ({@code --fsync always}), every
 * {@code --fsync-interval} ({@code --fsync interval}) or never ({@code --fsync never}): the
 * server's options mapped onto the runtime's policy-free {@link FlushSchedule}. Owned by the
 * store's owner thread.
 */
final class OutputFlushes {
    private final FlushSchedule schedule;

    OutputFlushes(ServerConfig config, long nowMs) {
        this.schedule = new FlushSchedule(config.flushIntervalMs(), syncIntervalMs(config), nowMs);
    }

    /** The schedule's sync interval for the config: 0 with every flush, negative never. */
    static long syncIntervalMs(ServerConfig config) {
        final FsyncPolicy fsync = config.fsync();
        if (fsync == FsyncPolicy.ALWAYS) {
            return 0;
        }
        return fsync == FsyncPolicy.INTERVAL ? config.fsyncIntervalMs() : -1;
    }

    /** Flushes {@code store} if its interval is over; {@code watermark}: all below it is released. */
    void maybeFlush(OutputStore store, long nowMs, long watermark) {
        maybeFlush(store, nowMs, watermark, 0);
    }

    /**
     * Flushes {@code store} if its interval is over or will be within {@code awayMs}, the time the
     * owner is about to spend away (a {@code --read-batch} pause).
     */
    void maybeFlush(OutputStore store, long nowMs, long watermark, long awayMs) {
        // The writer threads write and fsync; the owner only hands them the batch.
        switch (schedule.dueWithin(nowMs, awayMs)) {
            case FLUSH:
                store.flush(false, watermark);
                break;
            case FLUSH_AND_SYNC:
                store.flush(true, watermark);
                break;
            default:
                break;
        }
    }
}
