package dev.stampede.cli;

import dev.stampede.kafka.KafkaSettings;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The Kafka options shared by {@code server} (publishing) and {@code merge} (reading). */
final class KafkaOptions {
    @Option(names = "--kafka", paramLabel = "HOST:PORT[,...]",
            description = "Kafka bootstrap servers (scale-out, see docs/SCALE-OUT.md).")
    String bootstrap;

    @Option(names = "--topic", paramLabel = "NAME", description = "The topic of the node partitions; created "
            + "when missing, grown when a node needs a partition it lacks.")
    String topic;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "A properties file for the Kafka clients: TLS, SASL, tuning (acks, idempotence and "
                    + "serializers stay stampede's).")
    Path config;

    /** Whether any Kafka option was given. */
    boolean given() {
        return bootstrap != null || topic != null || config != null;
    }

    /** The settings; a usage error (IllegalArgumentException) if incomplete. */
    KafkaSettings settings(String command) throws IOException {
        if (bootstrap == null || topic == null) {
            throw new IllegalArgumentException(command + ": --kafka and --topic go together");
        }
        return new KafkaSettings(bootstrap, topic, KafkaSettings.load(config));
    }
}
