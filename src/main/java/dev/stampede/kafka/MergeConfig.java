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

    /** A config without rotation. */
    public MergeConfig(KafkaSettings kafka, Path output, long idleTimeoutMs, FsyncPolicy fsync, long fsyncIntervalMs,
            long statsIntervalMs) {
        this(kafka, output, idleTimeoutMs, fsync, fsyncIntervalMs, statsIntervalMs, null);
    }

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
}
