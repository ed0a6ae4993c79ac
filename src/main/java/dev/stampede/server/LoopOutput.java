package dev.stampede.server;

import java.io.IOException;

/**
 * What an {@link EventLoop} needs to know of where its engine's values go: the store itself with
 * one loop ({@link DirectOutput}), a hand-off to the {@link LoopMerge} thread with several
 * ({@link LoopOutlet}). Called on the loop's thread unless said otherwise.
 */
interface LoopOutput {

    /** Whether the loop should stop reading until the files catch up (or recover). */
    boolean isBackedUp();

    /** Whether writes to the files are failing (the writers retry). Any thread. */
    boolean isFailing();

    /** What to log when writes fail and reading pauses, or {@code null} if another thread says it. */
    String failureMessage();

    /** Failed writes and fsyncs of the files since the start. Any thread. */
    long writeFailures();

    /** With {@code --repair-late} and one loop: late values merged into window files. Any thread. */
    default long repairedValues() {
        return 0;
    }

    /** With {@code --repair-late} and one loop: window files rewritten. Any thread. */
    default long repairRewrites() {
        return 0;
    }

    /** Whether released values are still on their way to the files. */
    boolean hasUnwritten();

    /** After each pass, the engine's watermark {@code watermark}: writes or hands over what came. */
    void afterPass(long nowMs, long watermark);

    /**
     * The loop is about to pause for {@code pauseMs} ({@code --read-batch}): a write that would come
     * due meanwhile is done now, so that what the last round released does not wait a pause more.
     */
    default void beforePause(long nowMs, long watermark, long pauseMs) {
        afterPass(nowMs, watermark);
    }

    /**
     * The loop ends, its engine drained to {@code watermark}: everything goes to the files (or to
     * the merge, which ends once every loop has). Blocks for at most {@code timeoutMs}.
     */
    void finish(long watermark, long timeoutMs) throws IOException;

    /**
     * The sequence number of the hand-off that carries what the loop's engine releases, and the
     * late values it finds, from now on (docs/DESIGN.md, acknowledged delivery). Loop thread.
     */
    long handOffSeq();

    /** Everything handed off with a sequence number up to this one is durable. Loop thread. */
    long durableSeq();

    /**
     * Every final value below this is durable in the output file (with {@code --kafka}, also
     * published); {@link Long#MIN_VALUE} before anything is. Loop thread.
     */
    long durableWatermark();
}
