package dev.stampede.kafka;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * What a node's partition says was published, read back by the publisher at its start and after
 * any failure: the last record's offsets and watermark, and the last final value published (from
 * the newest record that carries final values, looked for at most {@value #MAX_RECORDS_BACK}
 * records back: markers come ten a second from an idle node).
 *
 * @param outputOffset bytes of the output file published
 * @param lateOffset bytes of the late file published
 * @param watermark the node's published watermark; {@link Long#MIN_VALUE} if none
 * @param lastValue the last final value published; {@link #UNKNOWN} if none was found
 */
record PartitionEnd(long outputOffset, long lateOffset, long watermark, long lastValue) {
    /** No final value found in the records read back. */
    static final long UNKNOWN = Long.MIN_VALUE;
    static final int MAX_RECORDS_BACK = 20_000;
    private static final int WINDOW = 1_000;
    private static final long TIMEOUT_MS = 10_000;
    private static final PartitionEnd EMPTY = new PartitionEnd(0, 0, Long.MIN_VALUE, UNKNOWN);

    /** Reads {@code partition}'s end back. */
    static PartitionEnd read(KafkaSettings settings, TopicPartition partition, String group) throws IOException {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer(group))) {
            consumer.assign(List.of(partition));
            final Duration timeout = Duration.ofMillis(TIMEOUT_MS);
            final long begin = consumer.beginningOffsets(List.of(partition), timeout).get(partition);
            consumer.seekToEnd(List.of(partition));
            final long end = consumer.position(partition, timeout);
            if (end <= begin) {
                return EMPTY;
            }
            final NodeRecord r = new NodeRecord();
            long[] last = null;
            long lastValue = UNKNOWN;
            // Windows of records, newest first, until one holds final values.
            for (long to = end; to > begin && end - to < MAX_RECORDS_BACK && lastValue == UNKNOWN; ) {
                final long from = Math.max(begin, to - WINDOW);
                consumer.seek(partition, from);
                final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS);
                long newestWithValues = -1;
                while (consumer.position(partition) < to) {
                    if (System.nanoTime() - deadline > 0) {
                        throw new IOException("could not read back the end of " + partition);
                    }
                    for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                        if (rec.offset() >= to) {
                            continue;
                        }
                        if (!r.read(rec.value())) {
                            throw new IOException(r.unknownVersion() > 0
                                    ? partition + " holds a record of version " + r.unknownVersion() + " (offset "
                                            + rec.offset() + "), written by a newer stampede: this one (record version "
                                            + NodeRecord.VERSION + ") cannot tell where publication stands; run the newer one"
                                    : partition + " holds a record that is not stampede's (offset "
                                            + rec.offset() + "): is the topic shared with something else?");
                        }
                        if (last == null || rec.offset() > last[3]) {
                            if (to == end) {
                                last = new long[] {r.outputOffset(), r.lateOffset(), r.watermark(), rec.offset()};
                            }
                        }
                        if (r.kind() == NodeRecord.VALUES && r.count() > 0 && rec.offset() > newestWithValues) {
                            newestWithValues = rec.offset();
                            lastValue = r.value(r.count() - 1);
                        }
                    }
                }
                to = from;
            }
            if (last == null) {
                throw new IOException("could not read back the last record of " + partition);
            }
            return new PartitionEnd(last[0], last[1], last[2], lastValue);
        } catch (KafkaException e) {
            throw new IOException("cannot read back " + partition + ": " + e.getMessage(), e);
        }
    }
}
