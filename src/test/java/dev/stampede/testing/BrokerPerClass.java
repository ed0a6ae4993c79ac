package dev.stampede.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Kafka broker for a test class: started before its first test, stopped (and its data
 * folder removed) after its last, whatever happened. Register it in a static field:
 *
 * <pre>{@code @RegisterExtension static final BrokerPerClass KAFKA = new BrokerPerClass();}</pre>
 *
 * and reach the broker with {@link #broker()}.
 */
public final class BrokerPerClass implements BeforeAllCallback, AfterAllCallback {
    private KafkaBroker broker;
    private Path dataDir;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dataDir = Files.createTempDirectory("stampede-kafka-");
        broker = KafkaBroker.start(dataDir.resolve("kafka"));
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (broker != null) {
                broker.close();
            }
        } finally {
            deleteTree(dataDir);
        }
    }

    /** The broker of the running test class. */
    public KafkaBroker broker() {
        if (broker == null) {
            throw new IllegalStateException("the broker starts before the class's first test");
        }
        return broker;
    }

    private static void deleteTree(Path root) throws IOException {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> all = Files.walk(root)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
