package dev.stampede.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.testing.KafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test broker ({@link KafkaBroker}) with plain Kafka clients: topics, an idempotent producer,
 * reading back by assignment, and a stop and restart that keeps the data and lets a producer created
 * before it carry on. One broker for the class (each test has its own topic).
 */
class KafkaBrokerTest {
    private static final int PARTITIONS = 3;

    @TempDir
    static Path dir;
    static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start(dir.resolve("kafka"));
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
            assertThat(broker.isRunning()).isFalse();
        }
    }

    @Test
    void producesToEveryPartitionAndReadsBackByAssignment() throws Exception {
        final String topic = "produce-consume";
        createTopic(topic);
        try (Admin admin = admin()) {
            final TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS).get(topic);
            assertThat(d.partitions()).hasSize(PARTITIONS);
            assertThat(d.partitions()).allSatisfy(p -> assertThat(p.leader().id()).isEqualTo(1));
        }
        try (KafkaProducer<String, String> producer = producer()) {
            send(producer, topic, 0, 100);
        }
        final Map<Integer, List<String>> read = readAll(topic, 100 * PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(read.get(p)).as("partition %d", p).containsExactlyElementsOf(values(p, 0, 100));
        }
        assertThat(endOffsets(topic)).containsOnly(Map.entry(0, 100L), Map.entry(1, 100L), Map.entry(2, 100L));
    }

    @Test
    void restartKeepsTopicsAndRecordsAndAProducerCarriesOn() throws Exception {
        final String topic = "restart";
        createTopic(topic);
        try (KafkaProducer<String, String> producer = producer()) {
            send(producer, topic, 0, 50);

            broker.stop();
            assertThat(broker.isRunning()).isFalse();
            // SIGTERM was a clean shutdown: Kafka marks it in the log directory, and DevBroker says so.
            assertThat(broker.dataDir().resolve("logs").resolve(".kafka_cleanshutdown")).exists();
            assertThat(Files.readString(broker.logFile())).contains("kafka: stopped");
            broker.restart();
            assertThat(broker.isRunning()).isTrue();

            // The producer from before the restart: it reconnects, and its sequence numbers still hold.
            send(producer, topic, 50, 50);
        }
        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).contains(topic);
        }
        final Map<Integer, List<String>> read = readAll(topic, 100 * PARTITIONS);
        for (int p = 0; p < PARTITIONS; p++) {
            assertThat(read.get(p)).as("partition %d", p).containsExactlyElementsOf(values(p, 0, 100));
        }
        assertThat(endOffsets(topic)).containsOnly(Map.entry(0, 100L), Map.entry(1, 100L), Map.entry(2, 100L));
    }

    @Test
    void topicsAreNotCreatedOnFirstUse() throws Exception {
        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("never-created");
        }
        final Properties p = producerConfig();
        p.setProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            final Future<RecordMetadata> f = producer.send(new ProducerRecord<>("never-created", "k", "v"));
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
                    .hasMessageContaining("never-created");
        }
        try (Admin admin = admin()) {
            assertThat(admin.listTopics().names().get(10, TimeUnit.SECONDS)).doesNotContain("never-created");
        }
    }

    @Test
    void startFailsWithTheBrokersOutputWhenTheBrokerCannotStart(@TempDir Path bad) throws Exception {
        Files.writeString(bad.resolve("logs"), "a file where the broker's log directory should be");
        assertThatThrownBy(() -> KafkaBroker.start(bad))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("exited with 1")
                .hasMessageContaining("kafka: failed to start");
    }

    private static List<String> values(int partition, int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> partition + "-" + i).collect(Collectors.toList());
    }

    /** Sends {@code count} records to each partition, values {@code "P-I"}, and checks their offsets. */
    private static void send(KafkaProducer<String, String> producer, String topic, int from, int count) throws Exception {
        final List<Future<RecordMetadata>> sent = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            for (int p = 0; p < PARTITIONS; p++) {
                sent.add(producer.send(new ProducerRecord<>(topic, p, "k" + i, p + "-" + i)));
            }
        }
        producer.flush();
        for (int n = 0; n < sent.size(); n++) {
            final RecordMetadata m = sent.get(n).get(60, TimeUnit.SECONDS);
            assertThat(m.partition()).isEqualTo(n % PARTITIONS);
            assertThat(m.offset()).isEqualTo(from + n / PARTITIONS);
        }
    }

    private static void createTopic(String topic) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Every record of the topic, by partition, read by assignment from the beginning (no group). */
    private static Map<Integer, List<String>> readAll(String topic, int expected) {
        final Map<Integer, List<String>> read = new HashMap<>();
        int total = 0;
        try (KafkaConsumer<String, String> consumer = consumer()) {
            final List<TopicPartition> parts = partitions(topic);
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (total < expected && System.nanoTime() - deadline < 0) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    read.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(r.value());
                    assertThat(r.value()).startsWith(r.partition() + "-");
                    total++;
                }
            }
            // Nothing more than expected: one more short poll finds no record.
            assertThat(consumer.poll(Duration.ofMillis(300))).isEmpty();
        }
        assertThat(total).as("records read from %s", topic).isEqualTo(expected);
        return read;
    }

    private static Map<Integer, Long> endOffsets(String topic) {
        try (KafkaConsumer<String, String> consumer = consumer()) {
            return consumer.endOffsets(partitions(topic), Duration.ofSeconds(10)).entrySet().stream()
                    .collect(Collectors.toMap(e -> e.getKey().partition(), Map.Entry::getValue));
        }
    }

    private static List<TopicPartition> partitions(String topic) {
        return IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(topic, p)).collect(Collectors.toList());
    }

    private static Admin admin() {
        final Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        return Admin.create(p);
    }

    private static Properties producerConfig() {
        final Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.setProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "60000");
        p.setProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        p.setProperty(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
        p.setProperty(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.setProperty(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        return p;
    }

    private static KafkaProducer<String, String> producer() {
        return new KafkaProducer<>(producerConfig());
    }

    private static KafkaConsumer<String, String> consumer() {
        final Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.setProperty(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }
}
