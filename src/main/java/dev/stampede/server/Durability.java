package dev.stampede.server;

import dev.stampede.store.OutputStore;
import java.util.function.LongSupplier;

/**
 * What of the server's output is durable, as acknowledgements need to know it (docs/PROTOCOL.md):
 * read from the {@link dev.stampede.journal.DurableEnd} of the output and of the late file, which
 * say how far their fsyncs (with {@code --fsync never}, their writes) have come, and, with
 * {@code --kafka}, bounded by what the node's partition holds, acknowledged by the broker. The
 * output's batches carry the watermark (every final value below it is in the file); the late
 * file's carry the count of late lines appended so far.
 *
 * <p>The store's owner thread asks for {@link #lateLines()}; any thread may read the rest.
 */
final class Durability {
    private final OutputStore store;
    private volatile LongSupplier published;

    Durability(OutputStore store, ServerConfig config) {
        this.store = store;
        // Publishing: nothing is durable before the publisher says what its partition holds.
        this.published = config.publishes() ? () -> Long.MIN_VALUE : () -> Long.MAX_VALUE;
    }

    /** With {@code --kafka}: every value below what this returns is in the node's partition. */
    void boundByPublication(LongSupplier publishedWatermark) {
        this.published = publishedWatermark;
    }

    /** Late lines appended so far (owner thread): those found from now on come after them. */
    long lateLines() {
        return store.lateLines();
    }

    /** Late lines durable so far. */
    long durableLateLines() {
        return store.late().durableEnd().durableMark();
    }

    /** Every final value below this is durable in the output (and published, with Kafka). */
    long durableWatermark() {
        final long file = store.output().durableEnd().durableMark();
        return Math.min(file, published.getAsLong());
    }
}
