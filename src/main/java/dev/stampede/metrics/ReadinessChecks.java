package dev.stampede.metrics;

import dev.stampede.stats.MergeStats;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * What {@code /-/ready} means for each program, from figures any thread may read. Each check
 * says why it fails; {@link #all} asks them in order and gives the first reason.
 */
public final class ReadinessChecks {
    /**
     * With {@code --kafka}: how much durable data (in watermark time) may wait unpublished before
     * the server is not ready: 10 s, a hundred times the publisher's usual round trip, and well
     * within what the merge's idle timeout and a broker's leader election take.
     */
    public static final long PUBLICATION_BOUND_MS = 10_000;

    private ReadinessChecks() {
    }

    /** Ready when every check is; else the first one's reason. */
    public static Readiness all(Readiness... checks) {
        final Readiness[] copy = checks.clone();
        return () -> {
            for (Readiness c : copy) {
                final String why = c.notReadyBecause();
                if (why != null) {
                    return why;
                }
            }
            return null;
        };
    }

    /**
     * The server: ready while it runs and its writes succeed (with {@code --kafka}, add
     * {@link #publication}).
     *
     * @param writeFailure the current write error's message, {@code null} while writes succeed
     */
    public static Readiness server(BooleanSupplier running, Supplier<String> writeFailure) {
        return all(running(running), writes(writeFailure));
    }

    /** Not ready once the program has stopped (its loop failed, or a stop is under way). */
    public static Readiness running(BooleanSupplier running) {
        return () -> running.getAsBoolean() ? null : "stopped";
    }

    /**
     * The server's output: not ready while its writes fail (a full disk, an I/O error: reading is
     * paused meanwhile), with the error.
     *
     * @param writeFailure the current write error's message, {@code null} while writes succeed
     */
    public static Readiness writes(Supplier<String> writeFailure) {
        return () -> {
            final String why = writeFailure.get();
            return why == null ? null : "writes to the output are failing (reading paused): " + why;
        };
    }

    /**
     * With {@code --kafka}: not ready while what is durable in the file is not in the node's
     * partition yet, by more than {@code boundMs} of watermark time, or while nothing has been
     * published at all though the file holds something.
     *
     * @param durableMark the watermark the durable part of the output reaches ({@link Long#MIN_VALUE}
     *     while there is none)
     * @param publishedMark the watermark the partition acknowledged ({@link Long#MIN_VALUE} before
     *     the first record)
     */
    public static Readiness publication(LongSupplier durableMark, LongSupplier publishedMark, long boundMs) {
        return () -> {
            final long durable = durableMark.getAsLong();
            if (durable == Long.MIN_VALUE) {
                return null; // nothing to publish
            }
            final long published = publishedMark.getAsLong();
            if (published == Long.MIN_VALUE) {
                return "kafka: nothing published to the partition yet";
            }
            final long lagMs = durable - published;
            return lagMs <= boundMs ? null : "kafka: publication trails the file by " + lagMs
                    + " ms of data (bound " + boundMs + " ms)";
        };
    }

    /**
     * The merge: ready once it is merging (it found the topic's partitions), not while writes to
     * the global file fail.
     */
    public static Readiness merge(Supplier<MergeStats> stats) {
        return () -> {
            final MergeStats s = stats.get();
            if (s.nodes() == 0) {
                return "waiting for the topic's partitions";
            }
            return s.writesFailing() ? "writes to the global file are failing" : null;
        };
    }
}
