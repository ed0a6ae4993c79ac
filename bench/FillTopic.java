import dev.stampede.kafka.NodeRecord;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Fills a topic as {@code nodes} servers would have (bench/merge-throughput.sh): partition p holds
 * the values {@code base + nodes*i + p} for i in [0, perNode), ascending, in VALUES records of
 * {@code batch} values made by {@link NodeRecord#encode}, each carrying the node's watermark (its
 * last value + 1) and its output-file offset (14 bytes a 13-digit line), then one LEAVING record.
 * So the partitions interleave in time, every value is distinct, and the global file must be
 * exactly base .. base + nodes*perNode - 1. With MODE {@code overlap}, every partition holds
 * {@code base + i} instead (each value from every node, as when every server sees every
 * millisecond): the global file must be exactly base .. base + perNode - 1.
 *
 * <pre>java -cp CLASSPATH bench/FillTopic.java BOOTSTRAP TOPIC NODES PER_NODE BASE [BATCH [MODE]]</pre>
 */
public final class FillTopic {
    public static void main(String[] args) throws Exception {
        final String bootstrap = args[0];
        final String topic = args[1];
        final int nodes = Integer.parseInt(args[2]);
        final long perNode = Long.parseLong(args[3]);
        final long base = Long.parseLong(args[4]);
        final int batch = args.length > 5 ? Integer.parseInt(args[5]) : 8192;
        final boolean overlap = args.length > 6 && args[6].equals("overlap");
        final long stride = overlap ? 1 : nodes;

        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, nodes, (short) 1))).all().get();
        }
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(1 << 20));
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(4 << 20));
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, String.valueOf(64 << 20));
        final long t0 = System.nanoTime();
        long records = 0;
        try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
            final long[] values = new long[batch];
            final long[] offsets = new long[nodes];
            // round robin over the nodes, one record each, so the partitions grow together
            for (long start = 0; start < perNode; start += batch) {
                final int count = (int) Math.min(batch, perNode - start);
                for (int node = 0; node < nodes; node++) {
                    final long[] vs = count == batch ? values : new long[count];
                    for (int i = 0; i < count; i++) {
                        final long v = base + stride * (start + i) + (overlap ? 0 : node);
                        vs[i] = v;
                        offsets[node] += Long.toString(v).length() + 1;
                    }
                    final long watermark = vs[count - 1] + 1;
                    producer.send(new ProducerRecord<>(topic, node, null,
                            NodeRecord.encode(NodeRecord.VALUES, watermark, offsets[node], 0, vs)));
                    records++;
                }
            }
            for (int node = 0; node < nodes; node++) {
                final long last = base + stride * (perNode - 1) + (overlap ? 0 : node);
                producer.send(new ProducerRecord<>(topic, node, null,
                        NodeRecord.encode(NodeRecord.LEAVING, last + 1, offsets[node], 0)));
                records++;
            }
            producer.flush();
        }
        System.out.printf("fill: %d values in %d records on %d partitions of %s in %d ms%n",
                nodes * perNode, records, nodes, topic, (System.nanoTime() - t0) / 1_000_000);
    }
}
