package dev.stampede.kafka;

import java.io.PrintStream;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.MessageFormatter;

/**
 * Prints a node's records as text for Kafka's own console consumer, one line a record of
 * {@code key=value} fields:
 *
 * <pre>
 * kafka-console-consumer.sh --bootstrap-server HOST:9092 --topic stampede --partition 0 --from-beginning \
 *     --formatter dev.stampede.kafka.RecordFormatter      # with stampede's jar on CLASSPATH
 *
 * partition=0 offset=41 version=1 kind=values watermark=1750000000124 watermark_time=2025-06-15T15:06:40.124Z output_offset=5642 late_offset=0 count=2 values=1750000000122,1750000000123
 * partition=0 offset=42 version=1 kind=marker watermark=1750000000230 ...
 * </pre>
 *
 * {@code kind} is {@code values}, {@code late}, {@code leaving}, or {@code marker} (a values record
 * with none: the node's watermark only). {@code --property print.values=false} leaves the values
 * out (a record holds up to 32,768). A record it cannot read is printed as {@code error="..."} with
 * its size, never an exception: the consumer goes on.
 */
public final class RecordFormatter implements MessageFormatter {
    /** The property that turns the values off. */
    public static final String PRINT_VALUES = "print.values";

    private final NodeRecord record = new NodeRecord();
    private boolean printValues = true;

    /** For the console consumer, which creates it by name. */
    public RecordFormatter() {}

    @Override
    public void configure(Map<String, ?> configs) {
        final Object v = configs.get(PRINT_VALUES);
        if (v != null) {
            printValues = !"false".equalsIgnoreCase(v.toString().trim());
        }
    }

    @Override
    public void writeTo(ConsumerRecord<byte[], byte[]> consumerRecord, PrintStream output) {
        final StringBuilder line = new StringBuilder(128);
        line.append("partition=").append(consumerRecord.partition()).append(" offset=").append(consumerRecord.offset());
        final byte[] value = consumerRecord.value();
        if (!record.read(value)) {
            final int version = record.unknownVersion();
            line.append(" error=\"").append(version > 0
                    ? "record version " + version + ", newer than this formatter (it reads up to " + NodeRecord.VERSION + ")"
                    : "not a stampede record").append('"').append(" bytes=").append(value == null ? 0 : value.length);
            output.println(line);
            return;
        }
        line.append(" version=").append(record.version()).append(" kind=").append(kindName());
        final long w = record.watermark();
        if (w == Long.MIN_VALUE) {
            line.append(" watermark=none");
        } else {
            line.append(" watermark=").append(w).append(" watermark_time=").append(time(w));
        }
        line.append(" output_offset=").append(record.outputOffset()).append(" late_offset=").append(record.lateOffset())
                .append(" count=").append(record.count());
        if (printValues && record.count() > 0) {
            line.append(" values=");
            for (int i = 0; i < record.count(); i++) {
                if (i > 0) {
                    line.append(',');
                }
                line.append(record.value(i));
            }
        }
        output.println(line);
    }

    private String kindName() {
        switch (record.kind()) {
            case NodeRecord.VALUES:
                return record.count() == 0 ? "marker" : "values";
            case NodeRecord.LATE:
                return "late";
            default:
                return "leaving";
        }
    }

    /** An epoch-millisecond value as ISO-8601 UTC (any long is within Instant's range). */
    private static String time(long epochMs) {
        return Instant.ofEpochMilli(epochMs).toString();
    }
}
