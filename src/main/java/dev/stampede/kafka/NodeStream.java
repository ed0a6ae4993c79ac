package dev.stampede.kafka;

import java.util.ArrayDeque;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The merge's view of one node: its partition, its source in the engine, the records read but
 * not yet taken in full (held while their values are beyond what the engine's window can take,
 * with the partition paused meanwhile), and the records taken whose values may still be pending,
 * which decide the offset a restarted merge must read again from.
 *
 * <p>Owned by the merge's thread.
 */
final class NodeStream {
    final TopicPartition partition;
    /** The node's source in the engine; -1 before its first record, or after it left. */
    int source = -1;
    /** Records polled, not yet taken in full; the head's first {@link #cursor} values are taken. */
    final ArrayDeque<ConsumerRecord<byte[], byte[]>> held = new ArrayDeque<>();
    int cursor;
    boolean paused;
    /** The offset after the last record taken in full. */
    long nextOffset;
    /** No record of this partition was skipped yet. */
    static final int NOTHING_SKIPPED = Integer.MIN_VALUE;
    /** The version of the last record skipped as unreadable (-1: not a stampede record), for saying it once. */
    int skippedVersion = NOTHING_SKIPPED;

    // Records taken whose values may still be pending: (offset, largest value), oldest first.
    private long[] pendingOffsets = new long[16];
    private long[] pendingMax = new long[16];
    private int head;
    private int size;

    NodeStream(TopicPartition partition, long startOffset) {
        this.partition = partition;
        this.nextOffset = startOffset;
    }

    /** A record at {@code offset} was taken; its largest value {@code max} may be pending. */
    void taken(long offset, long max) {
        if (size == pendingOffsets.length) {
            final long[] o = new long[size * 2];
            final long[] m = new long[size * 2];
            for (int i = 0; i < size; i++) {
                o[i] = pendingOffsets[(head + i) % size];
                m[i] = pendingMax[(head + i) % size];
            }
            pendingOffsets = o;
            pendingMax = m;
            head = 0;
        }
        final int at = (head + size++) % pendingOffsets.length;
        pendingOffsets[at] = offset;
        pendingMax[at] = max;
    }

    /** The merged watermark is now {@code w}: records whose values are all below it are settled. */
    void settle(long w) {
        while (size > 0 && pendingMax[head] < w) {
            head = (head + 1) % pendingOffsets.length;
            size--;
        }
    }

    /** Where a restarted merge must read this partition again from. */
    long safeOffset() {
        final long held0 = held.isEmpty() ? Long.MAX_VALUE : held.peekFirst().offset();
        final long pending0 = size == 0 ? Long.MAX_VALUE : pendingOffsets[head];
        final long earliest = Math.min(held0, pending0);
        return earliest == Long.MAX_VALUE ? nextOffset : Math.min(earliest, nextOffset);
    }

    @Override
    public String toString() {
        return partition + " source=" + source + " held=" + held.size()
                + " pendingRecords=" + size;
    }
}
