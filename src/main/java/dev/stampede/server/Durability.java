package dev.stampede.server;

import dev.stampede.store.FsyncPolicy;
import dev.stampede.store.OutputStore;
import java.util.function.LongSupplier;

/**
 * What of the server's output is durable, as acknowledgements need to know it (docs/PROTOCOL.md):
 * read from the writers of the output and the late file, which say how far their fsyncs (with
 * {@code --fsync never}, their writes) have come, and, with {@code --kafka}, bounded by what the
 * node's partition holds, acknowledged by the broker. The output's writer carries the watermark
 * of each batch (every final value below it is in the file); the late file's writer carries the
 * count of late lines appended so far.
 *
 * <p>The store's owner thread asks for {@link #lateLines()}; any thread may read the rest.
 */
final class Durability {
    private final OutputStore store;
    /** Whether durable means fsynced (else written: {@code --fsync never}). */
    private final boolean synced;
    private volatile LongSupplier published;

    Durability(OutputStore store, ServerConfig config) {
        this.store = store;
        this.synced = config.fsync() != FsyncPolicy.NEVER;
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
        return synced ? store.late().syncedMark() : store.late().writtenMark();
    }

    /** Every final value below this is durable in the output (and published, with Kafka). */
    long durableWatermark() {
        final long file = synced ? store.output().syncedMark() : store.output().writtenMark();
        return Math.min(file, published.getAsLong());
    }
}
