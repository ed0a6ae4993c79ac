package dev.stampede.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.MessageFormatter;
import org.junit.jupiter.api.Test;

/** What {@code kafka-console-consumer.sh --formatter dev.stampede.kafka.RecordFormatter} prints. */
class RecordFormatterTest {
    private static final long T = 1_750_000_000_000L;

    @Test
    void theConsoleConsumerCanCreateItByName() throws Exception {
        // As the console consumer does: the class by name, its no-argument constructor, configure.
        final Object f = Class.forName("dev.stampede.kafka.RecordFormatter").getDeclaredConstructor().newInstance();
        assertThat(f).isInstanceOf(MessageFormatter.class);
        ((MessageFormatter) f).configure(Map.of());
    }

    @Test
    void aValuesRecordIsOneLineOfKeyValueFields() {
        final String line = format(new RecordFormatter(), 3, 41, NodeRecord.encode(NodeRecord.VALUES, T + 124, 5642, 7, T, T + 123));
        assertThat(line).isEqualTo("partition=3 offset=41 version=1 kind=values watermark=1750000000124 "
                + "watermark_time=2025-06-15T15:06:40.124Z output_offset=5642 late_offset=7 count=2 "
                + "values=1750000000000,1750000000123\n");
    }

    @Test
    void markersLateValuesAndLeaving() {
        final RecordFormatter f = new RecordFormatter();
        assertThat(format(f, 0, 1, NodeRecord.encode(NodeRecord.VALUES, T, 8, 0)))
                .contains(" kind=marker ").endsWith(" count=0\n");
        assertThat(format(f, 0, 2, NodeRecord.encode(NodeRecord.LATE, T, 8, 14, T - 60_000)))
                .contains(" kind=late ").endsWith(" count=1 values=" + (T - 60_000) + "\n");
        assertThat(format(f, 0, 3, NodeRecord.encode(NodeRecord.LEAVING, Long.MIN_VALUE, 8, 14)))
                .contains(" kind=leaving watermark=none output_offset=8 ");
    }

    @Test
    void valuesCanBeLeftOut() {
        final RecordFormatter f = new RecordFormatter();
        f.configure(Map.of(RecordFormatter.PRINT_VALUES, "false"));
        assertThat(format(f, 0, 1, NodeRecord.encode(NodeRecord.VALUES, T + 2, 16, 0, T, T + 1)))
                .endsWith(" count=2\n").doesNotContain("values=");
    }

    @Test
    void olderAndUnreadableRecordsArePrintedNotThrown() {
        final RecordFormatter f = new RecordFormatter();
        assertThat(format(f, 0, 1, NodeRecordTest.unversioned(NodeRecord.encode(NodeRecord.VALUES, T + 1, 8, 0, T))))
                .contains(" version=0 kind=values ").endsWith(" values=" + T + "\n");
        final byte[] newer = NodeRecord.encode(NodeRecord.VALUES, T + 1, 8, 0, T);
        newer[0] = 2;
        assertThat(format(f, 0, 2, newer)).isEqualTo("partition=0 offset=2 error=\"record version 2, newer than this "
                + "formatter (it reads up to 1)\" bytes=" + newer.length + "\n");
        assertThat(format(f, 0, 3, "hello".getBytes(StandardCharsets.US_ASCII)))
                .isEqualTo("partition=0 offset=3 error=\"not a stampede record\" bytes=5\n");
        assertThat(format(f, 0, 4, null)).isEqualTo("partition=0 offset=4 error=\"not a stampede record\" bytes=0\n");
        // and it goes on reading what it understands
        assertThat(format(f, 0, 5, NodeRecord.encode(NodeRecord.VALUES, T + 1, 8, 0, T))).contains(" version=1 ");
    }

    private static String format(RecordFormatter f, int partition, long offset, byte[] value) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            f.writeTo(new ConsumerRecord<>("stampede", partition, offset, null, value), out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
