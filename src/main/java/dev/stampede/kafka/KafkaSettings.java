package dev.stampede.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Where the cluster is and how to talk to it: {@code --kafka}, {@code --topic} and the optional
 * {@code --kafka-config} properties file (TLS, SASL, tuning), turned into the properties of each
 * Kafka client stampede makes. The settings stampede's guarantees rest on (idempotent producer,
 * {@code acks=all}, byte-array serdes, no consumer group) are applied last: a config file cannot
 * turn them off.
 *
 * @param bootstrap {@code HOST:PORT[,HOST:PORT...]}
 * @param topic the topic of the node partitions
 * @param extra the properties of {@code --kafka-config} (empty if none)
 */
public record KafkaSettings(String bootstrap, String topic, Properties extra) {
    private static final long ADMIN_TIMEOUT_MS = 10_000;

    /** Validates the names. */
    public KafkaSettings {
        if (bootstrap == null || bootstrap.isBlank()) {
            throw new IllegalArgumentException("--kafka needs HOST:PORT[,HOST:PORT...]");
        }
        if (topic == null || !topic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new IllegalArgumentException("--topic must be 1 to 249 of a-z A-Z 0-9 . _ -, not '" + topic + "'");
        }
        extra = extra == null ? new Properties() : extra;
    }

    /** Reads a {@code --kafka-config} file (Java properties format). */
    public static Properties load(Path file) throws IOException {
        final Properties p = new Properties();
        if (file != null) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(r);
            }
        }
        return p;
    }

    /** The producer of node {@code node}: idempotent, every record acknowledged by all replicas. */
    Properties producer(int node) {
        final Properties p = base("stampede-node-" + node);
        p.putIfAbsent("linger.ms", "0");
        p.putIfAbsent("max.block.ms", "5000");
        p.putIfAbsent("request.timeout.ms", "10000");
        p.putIfAbsent("delivery.timeout.ms", "20000");
        p.putIfAbsent("reconnect.backoff.max.ms", "2000");
        p.putIfAbsent("max.request.size", String.valueOf(2 << 20));
        p.putIfAbsent("buffer.memory", String.valueOf(4 << 20)); // one record in flight: 32 MB is for others
        p.put("enable.idempotence", "true");
        p.put("acks", "all");
        p.put("max.in.flight.requests.per.connection", "1");
        p.put("key.serializer", ByteArraySerializer.class.getName());
        p.put("value.serializer", ByteArraySerializer.class.getName());
        return p;
    }

    /** A consumer that reads by assignment: no group, no committed offsets. */
    Properties consumer(String clientId) {
        final Properties p = base(clientId);
        p.putIfAbsent("max.poll.records", "1000");
        p.putIfAbsent("fetch.max.wait.ms", "20");
        p.putIfAbsent("reconnect.backoff.max.ms", "2000");
        p.putIfAbsent("default.api.timeout.ms", "10000");
        // Partitions of nodes that join are seen within seconds, not the default 5 minutes.
        p.putIfAbsent("metadata.max.age.ms", "2000");
        p.remove("group.id");
        p.put("enable.auto.commit", "false");
        p.put("auto.offset.reset", "earliest");
        p.put("key.deserializer", ByteArrayDeserializer.class.getName());
        p.put("value.deserializer", ByteArrayDeserializer.class.getName());
        return p;
    }

    /** Admin clients (topic creation). */
    Properties admin(String clientId) {
        final Properties p = base(clientId);
        p.putIfAbsent("default.api.timeout.ms", String.valueOf(ADMIN_TIMEOUT_MS));
        p.putIfAbsent("request.timeout.ms", "5000");
        return p;
    }

    private Properties base(String clientId) {
        final Properties p = new Properties();
        p.putAll(extra);
        p.put("bootstrap.servers", bootstrap);
        p.putIfAbsent("client.id", clientId);
        return p;
    }

    /**
     * Makes sure the topic exists with at least {@code partitions} partitions: creates it (the
     * broker's default replication factor), or grows it. Safe when several nodes race to do it.
     *
     * @return the partition count now
     */
    int ensurePartitions(int partitions) throws IOException {
        try (Admin admin = Admin.create(admin("stampede-admin"))) {
            for (int attempt = 0; attempt < 5; attempt++) {
                final Optional<TopicDescription> now = describe(admin);
                try {
                    if (now.isEmpty()) {
                        get(admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())))
                                .all());
                        return partitions;
                    }
                    final int have = now.get().partitions().size();
                    if (have >= partitions) {
                        return have;
                    }
                    get(admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all());
                    return partitions;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException || e.getCause() instanceof InvalidPartitionsException)) {
                        throw new IOException("cannot create or grow topic " + topic + ": " + e.getCause().getMessage(), e);
                    }
                    // Another node did it at the same time: look again.
                }
            }
            throw new IOException("topic " + topic + " keeps changing under us; giving up");
        }
    }

    private Optional<TopicDescription> describe(Admin admin) throws IOException {
        try {
            return Optional.of(get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return Optional.empty();
            }
            throw new IOException("cannot describe topic " + topic + " at " + bootstrap + ": " + e.getCause().getMessage(), e);
        }
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> f) throws ExecutionException, IOException {
        try {
            return f.get(ADMIN_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (TimeoutException e) {
            throw new IOException("no answer from the Kafka cluster within " + ADMIN_TIMEOUT_MS + " ms", e);
        }
    }
}
