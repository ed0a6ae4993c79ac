package dev.stampede.server;

import dev.stampede.store.FsyncPolicy;
import dev.stampede.store.OutputStore;

/**
 * When the owner of an {@link OutputStore} hands its buffered lines to the writer threads, and
 * when it asks them to fsync: every {@code --flush-interval}, with a sync on every flush
 * ({@code --fsync always}) or every {@code --fsync-interval}. Owned by the store's owner thread.
 */
final class FlushSchedule {
    private final ServerConfig config;
    private long nextFlushMs;
    private long nextSyncMs;

    FlushSchedule(ServerConfig config, long nowMs) {
        this.config = config;
        this.nextFlushMs = nowMs + config.flushIntervalMs();
        this.nextSyncMs = nowMs + config.fsyncIntervalMs();
    }

    /** Flushes {@code store} if its interval is over; {@code watermark}: all below it is released. */
    void maybeFlush(OutputStore store, long nowMs, long watermark) {
        if (nowMs < nextFlushMs) {
            return;
        }
        // The writer threads write and fsync; the owner only hands them the batch.
        final boolean sync = config.fsync() == FsyncPolicy.ALWAYS
                || (config.fsync() == FsyncPolicy.INTERVAL && nowMs >= nextSyncMs);
        store.flush(sync, watermark);
        if (sync) {
            nextSyncMs = nowMs + config.fsyncIntervalMs();
        }
        nextFlushMs = nowMs + config.flushIntervalMs();
    }
}
