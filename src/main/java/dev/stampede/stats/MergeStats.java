package dev.stampede.stats;

/**
 * A point-in-time copy of the merge's counters, made by its loop and safe to hand to any thread;
 * formats its periodic line and its exit summary ({@code key=value} pairs, like the server's).
 *
 * @param uptimeMs time since the merge started
 * @param nodes partitions (nodes) of the topic
 * @param live nodes currently holding the merged watermark (heard within the idle timeout, or with
 *     records still to read)
 * @param msgs values read from the partitions (final and late values of the nodes)
 * @param written values written to the global file
 * @param dups values dropped as duplicates (the same value from two nodes, or read again)
 * @param late values below the merged watermark (in the global late file)
 * @param pending values waiting for the merged watermark
 * @param watermarkLagMs wall clock minus the merged watermark; -1 before the first
 * @param behind records in the partitions not read yet
 * @param writesFailing whether writes to the global file are failing
 * @param repaired with {@code --repair-late}: late values merged into their window files
 * @param rewrites with {@code --repair-late}: window files rewritten to merge them
 */
public record MergeStats(
        long uptimeMs,
        int nodes,
        int live,
        long msgs,
        long written,
        long dups,
        long late,
        long pending,
        long watermarkLagMs,
        long behind,
        boolean writesFailing,
        long repaired,
        long rewrites) {

    private String repair() {
        return repaired > 0 || rewrites > 0 ? " repaired=" + repaired + " rewrites=" + rewrites : "";
    }

    /** The periodic line: totals, plus the rate of values read since {@code previous}. */
    public String reportLine(MergeStats previous) {
        final long dtMs = Math.max(1, uptimeMs - previous.uptimeMs);
        return "merge: nodes=" + nodes
                + " live=" + live
                + " rate_per_s=" + (msgs - previous.msgs) * 1000 / dtMs
                + " msgs=" + msgs
                + " written=" + written
                + " dups=" + dups
                + " late=" + late
                + " pending=" + pending
                + " wm_lag_ms=" + watermarkLagMs
                + " behind=" + behind
                + repair()
                + (writesFailing ? " writes=failing" : "");
    }

    /** The exit summary. */
    public String summaryLine() {
        return "merge: stopped nodes=" + nodes
                + " msgs=" + msgs
                + " written=" + written
                + " dups=" + dups
                + " late=" + late
                + " pending=" + pending
                + repair()
                + " uptime_s=" + uptimeMs / 1000;
    }

    /** All zeros, as before the start. */
    public static MergeStats zero() {
        return new MergeStats(0, 0, 0, 0, 0, 0, 0, 0, -1, 0, false, 0, 0);
    }
}
