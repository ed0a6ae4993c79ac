package dev.stampede.server;

import dev.stampede.journal.DurableEnd;
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
    private final boolean publishes;
    private volatile LongSupplier published;
    private volatile LongSupplier publishedLateBytes = () -> Long.MIN_VALUE;
    private final PublishedLate publishedLate = new PublishedLate();

    Durability(OutputStore store, ServerConfig config) {
        this.store = store;
        // Publishing: nothing is durable before the publisher says what its partition holds.
        this.publishes = config.publishes();
        this.published = publishes ? () -> Long.MIN_VALUE : () -> Long.MAX_VALUE;
    }

    /**
     * With {@code --kafka}: every value below what {@code publishedWatermark} returns is in the
     * node's partition, and so is the late file up to {@code publishedLateBytes} (bytes).
     */
    void boundByPublication(LongSupplier publishedWatermark, LongSupplier publishedLateBytes) {
        this.publishedLateBytes = publishedLateBytes;
        this.published = publishedWatermark;
    }

    /** Late lines appended so far (owner thread): those found from now on come after them. */
    long lateLines() {
        return store.lateLines();
    }

    /**
     * Late lines durable so far (with {@code --kafka}, and in the partition). One caller thread:
     * the loop's acknowledgement sweep, or the loops' merge.
     */
    long durableLateLines() {
        final DurableEnd late = store.late().durableEnd();
        final long mark = late.durableMark(); // first: the bytes then hold every line it counts
        if (!publishes) {
            return mark;
        }
        return publishedLate.advance(mark, late.durableBytes(), publishedLateBytes.getAsLong());
    }

    /** Every final value below this is durable in the output (and published, with Kafka). */
    long durableWatermark() {
        final long file = store.output().durableEnd().durableMark();
        return Math.min(file, published.getAsLong());
    }
}
