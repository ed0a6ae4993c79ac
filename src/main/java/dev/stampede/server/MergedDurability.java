package dev.stampede.server;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * With several loops, what each loop may acknowledge: a loop counts its hand-offs in its own
 * batch numbers, while durability is the merge's store's. After each of its passes the merge
 * notes which batch of each loop it has taken, with the store's late-line count and watermark
 * at that moment; once the store's writers say both are durable, every loop's batches up to the
 * noted ones are, and the loops read that here. Nothing per value: one note a merge pass, at most
 * {@value #NOTES} notes kept (a durability far behind folds the newest together, which only
 * makes acknowledgements wait for more).
 *
 * <p>{@link #taken} and {@link #afterPass} belong to the merge thread; the loops read
 * {@link #durableBatches} and {@link #durableWatermark}.
 */
final class MergedDurability {
    private static final int NOTES = 1024;

    private final Durability durability;
    private final long[] taken;
    private final AtomicLongArray durable;
    private volatile long durableWatermark = Long.MIN_VALUE;
    private boolean changed;

    private final long[][] notedTaken;
    private final long[] notedLate = new long[NOTES];
    private final long[] notedWatermark = new long[NOTES];
    private int head;
    private int size;

    MergedDurability(Durability durability, int loops) {
        this.durability = durability;
        this.taken = new long[loops];
        this.durable = new AtomicLongArray(loops);
        this.notedTaken = new long[NOTES][loops];
    }

    /** The merge took loop {@code loop}'s batch {@code seq}. */
    void taken(int loop, long seq) {
        taken[loop] = seq;
        changed = true;
    }

    /** After a merge pass whose watermark is {@code watermark}: note what was taken, publish what is durable. */
    void afterPass(long watermark) {
        if (changed) {
            note(durability.lateLines(), watermark);
            changed = false;
        }
        final long late = durability.durableLateLines();
        final long w = durability.durableWatermark();
        durableWatermark = w;
        while (size > 0 && late >= notedLate[head] && w >= notedWatermark[head]) {
            final long[] t = notedTaken[head];
            for (int i = 0; i < t.length; i++) {
                durable.set(i, t[i]);
            }
            head = (head + 1) % NOTES;
            size--;
        }
    }

    private void note(long lateLines, long watermark) {
        final int slot = size < NOTES ? (head + size++) % NOTES : (head + NOTES - 1) % NOTES;
        System.arraycopy(taken, 0, notedTaken[slot], 0, taken.length);
        notedLate[slot] = lateLines;
        notedWatermark[slot] = watermark;
    }

    /** Loop {@code loop}'s batches up to this one are durable. Any thread. */
    long durableBatches(int loop) {
        return durable.get(loop);
    }

    /** Every final value below this is durable. Any thread. */
    long durableWatermark() {
        return durableWatermark;
    }
}
