package dev.stampede.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/** Test helper: every record of a node's partition, decoded and kept, from its beginning to its end now. */
final class PartitionRecords {
    /** A decoded record, kept (the reader reuses its buffer). */
    record Copy(byte kind, long watermark, List<Long> values) {}

    private PartitionRecords() {}

    static List<Copy> readAll(KafkaSettings kafka, int partition) {
        final List<Copy> out = new ArrayList<>();
        final TopicPartition tp = new TopicPartition(kafka.topic(), partition);
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(kafka.consumer("test"))) {
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            final long end = c.endOffsets(List.of(tp)).get(tp);
            final NodeRecord r = new NodeRecord();
            while (c.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> rec : c.poll(Duration.ofMillis(200))) {
                    assertThat(r.read(rec.value())).isTrue();
                    final List<Long> values = new ArrayList<>();
                    for (int i = 0; i < r.count(); i++) {
                        values.add(r.value(i));
                    }
                    out.add(new Copy(r.kind(), r.watermark(), values));
                }
            }
        }
        return out;
    }
}
