package dev.stampede.server;

import dev.stampede.store.OutputStore;
import java.io.IOException;

/**
 * The one loop's output: its engine appends straight to the {@link OutputStore} (its sink), and
 * the loop flushes the store on its {@link OutputFlushes}.
 */
final class DirectOutput implements LoopOutput {
    private final OutputStore store;
    private final OutputFlushes flushes;
    private final Durability durability;

    DirectOutput(OutputStore store, ServerConfig config, Durability durability, long nowMs) {
        this.store = store;
        this.flushes = new OutputFlushes(config, nowMs);
        this.durability = durability;
    }

    /** The position in the late file's stream: late values are appended to the store as found. */
    @Override
    public long handOffSeq() {
        return durability.lateLines();
    }

    @Override
    public long durableSeq() {
        return durability.durableLateLines();
    }

    @Override
    public long durableWatermark() {
        return durability.durableWatermark();
    }

    @Override
    public boolean isBackedUp() {
        return store.isBackedUp();
    }

    @Override
    public boolean isFailing() {
        return store.isFailing();
    }

    @Override
    public String failureMessage() {
        return "cannot write " + store.output().path() + ": " + store.lastError();
    }

    @Override
    public long writeFailures() {
        return store.writeFailures();
    }

    @Override
    public long repairedValues() {
        return store.repairedValues();
    }

    @Override
    public long repairRewrites() {
        return store.repairRewrites();
    }

    @Override
    public boolean hasUnwritten() {
        return store.unwrittenBytes() > 0;
    }

    @Override
    public void afterPass(long nowMs, long watermark) {
        flushes.maybeFlush(store, nowMs, watermark);
    }

    @Override
    public void beforePause(long nowMs, long watermark, long pauseMs) {
        flushes.maybeFlush(store, nowMs, watermark, pauseMs);
    }

    @Override
    public void finish(long watermark, long timeoutMs) throws IOException {
        store.close(timeoutMs);
    }
}
