package dev.stampede.kafka;

import dev.stampede.store.FsyncPolicy;
import dev.stampede.store.Rotation;
import java.nio.file.Path;

/**
 * Everything {@code stampede merge} needs, validated. Times in milliseconds.
 *
 * @param kafka the cluster and topic
 * @param output the global file (its late file is {@code <output>.late}, its offsets
 *     {@code <output>.offsets})
 * @param idleTimeoutMs a node whose records stop this long (and whose partition has nothing left to
 *     read) stops holding the merge back
 * @param fsync when the global file is forced to disk
 * @param fsyncIntervalMs the interval of {@link FsyncPolicy#INTERVAL}, and how often the offsets
 *     are saved
 * @param statsIntervalMs how often a stats line is logged; 0 for none
 * @param rotation event-time rotation of the global file ({@code --rotate}), or {@code null}
 */
public record MergeConfig(KafkaSettings kafka, Path output, long idleTimeoutMs, FsyncPolicy fsync,
        long fsyncIntervalMs, long statsIntervalMs, Rotation rotation) {

    /** Validates the ranges. */
    public MergeConfig {
        if (idleTimeoutMs < 1) {
            throw new IllegalArgumentException("--idle-timeout must be at least 1ms");
        }
        if (fsyncIntervalMs < 1) {
            throw new IllegalArgumentException("--fsync-interval must be at least 1ms");
        }
        if (statsIntervalMs < 0) {
            throw new IllegalArgumentException("--stats-interval must not be negative");
        }
    }

    /** Settings named one by one; see {@link Builder} for the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds a {@link MergeConfig} from named settings, with the defaults of
     * {@code ./stampede merge}: {@code global.txt}, idle timeout 2 s, fsync (and offsets saved)
     * every 1 s, stats every 5 s, no rotation. The Kafka settings have no default.
     * {@link #build()} validates.
     */
    public static final class Builder {
        /** How often the merge syncs (and saves its offsets) with {@code --fsync always}, at most. */
        private static final long ALWAYS_SYNC_MS = 10;

        private KafkaSettings kafka;
        private Path output = Path.of("global.txt");
        private long idleTimeoutMs = 2_000;
        private FsyncPolicy fsync = FsyncPolicy.INTERVAL;
        private long fsyncIntervalMs = 1_000;
        private long statsIntervalMs = 5_000;
        private Rotation rotation;

        private Builder() {}

        /** The cluster and topic. */
        public Builder kafka(KafkaSettings v) {
            kafka = v;
            return this;
        }

        /** The global file. */
        public Builder output(Path v) {
            output = v;
            return this;
        }

        /** A node whose records stop this long stops holding the merge back. */
        public Builder idleTimeoutMs(long v) {
            idleTimeoutMs = v;
            return this;
        }

        /** When the global file is forced to disk. */
        public Builder fsync(FsyncPolicy v) {
            fsync = v;
            return this;
        }

        /** The interval of {@link FsyncPolicy#INTERVAL}, and how often the offsets are saved. */
        public Builder fsyncIntervalMs(long v) {
            fsyncIntervalMs = v;
            return this;
        }

        /** How often a stats line is logged; 0 for none. */
        public Builder statsIntervalMs(long v) {
            statsIntervalMs = v;
            return this;
        }

        /** Event-time rotation of the global file, or {@code null}. */
        public Builder rotation(Rotation v) {
            rotation = v;
            return this;
        }

        /**
         * The config, validated. The merge syncs (and saves its offsets) on the interval, so with
         * {@link FsyncPolicy#ALWAYS} the interval is at most {@value #ALWAYS_SYNC_MS} ms.
         */
        public MergeConfig build() {
            if (kafka == null) {
                throw new IllegalArgumentException("the merge needs --kafka and --topic");
            }
            final long syncMs = fsync == FsyncPolicy.ALWAYS ? Math.min(fsyncIntervalMs, ALWAYS_SYNC_MS) : fsyncIntervalMs;
            return new MergeConfig(kafka, output, idleTimeoutMs, fsync, syncMs, statsIntervalMs, rotation);
        }
    }
}
