package dev.stampede.server;

import dev.stampede.engine.OrderedSink;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * One loop's output when there are several: the values its engine releases (and those it finds
 * late) collect in a {@link Batch}, handed to the {@link LoopMerge} thread after each pass with
 * the engine's watermark. A few batches circulate per loop (one filling, the rest queued for or in
 * the merge), so the hand-off takes two queue operations a pass and nothing per value; while the
 * merge holds every other batch and this one grows past {@value #BACKLOG_VALUES} values, the loop
 * stops reading (TCP holds the clients back) until the merge catches up.
 *
 * <p>The sink and {@link LoopOutput} methods belong to the loop's thread.
 */
final class LoopOutlet implements LoopOutput, OrderedSink {
    /** Batches in circulation per loop. */
    static final int BATCHES = 3;
    private static final int FIRST_CAPACITY = 4096;
    private static final int BACKLOG_VALUES = 1 << 16;

    /**
     * Values from one loop for the merge: final values as they are, values the loop found late as
     * {@code -1 - value} (timestamps are never negative), then the loop's watermark after them.
     */
    static final class Batch {
        final LoopOutlet owner;
        long[] values = new long[FIRST_CAPACITY];
        int size;
        long watermark;
        /** The loop's last batch: its engine is drained and it sends nothing more. */
        boolean last;
        /** Its place in the loop's stream of batches, from 1: what acknowledgements count in. */
        long seq;

        Batch(LoopOutlet owner) {
            this.owner = owner;
        }

        void add(long entry) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2); // rare: a long stall, a big release
            }
            values[size++] = entry;
        }
    }

    final int index;
    private final LoopMerge merge;
    private final ArrayBlockingQueue<Batch> free = new ArrayBlockingQueue<>(BATCHES);
    private Batch filling;
    private long sentWatermark = Long.MIN_VALUE;
    private long batchesSent;

    LoopOutlet(int index, LoopMerge merge) {
        this.index = index;
        this.merge = merge;
        this.filling = new Batch(this);
        for (int i = 1; i < BATCHES; i++) {
            free.add(new Batch(this));
        }
    }

    @Override
    public void onFinal(long value, int copies) {
        for (int i = 0; i < copies; i++) {
            filling.add(value);
        }
    }

    @Override
    public void onLate(long value) {
        filling.add(-1 - value);
    }

    @Override
    public void afterPass(long nowMs, long watermark) {
        if (filling.size == 0 && watermark <= sentWatermark) {
            return;
        }
        final Batch next = free.poll();
        if (next == null) {
            return; // the merge has the others: this one keeps filling
        }
        filling.watermark = watermark;
        filling.seq = ++batchesSent;
        merge.submit(filling);
        filling = next;
        sentWatermark = watermark;
    }

    @Override
    public void finish(long watermark, long timeoutMs) {
        filling.watermark = watermark;
        filling.last = true;
        filling.seq = ++batchesSent;
        merge.submit(filling); // the merge's inbox holds every batch in circulation: never full
        filling = null;
    }

    /** The batch being filled goes next: what this loop reads from now on travels in it or later. */
    @Override
    public long handOffSeq() {
        return batchesSent + 1;
    }

    @Override
    public long durableSeq() {
        return merge.durableBatches(index);
    }

    @Override
    public long durableWatermark() {
        return merge.durableWatermark();
    }

    /** The merge is done with {@code batch}: its merge thread gives it back. */
    void recycle(Batch batch) {
        batch.size = 0;
        free.offer(batch);
    }

    @Override
    public boolean isBackedUp() {
        return merge.isBackedUp() || (filling.size >= BACKLOG_VALUES && free.isEmpty());
    }

    @Override
    public boolean isFailing() {
        return merge.isFailing();
    }

    @Override
    public String failureMessage() {
        return null; // the merge thread says it, once for all loops
    }

    @Override
    public long writeFailures() {
        return 0; // counted once, by the merge
    }

    @Override
    public boolean hasUnwritten() {
        return filling.size > 0;
    }
}
