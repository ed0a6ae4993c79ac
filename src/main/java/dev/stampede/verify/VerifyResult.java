package dev.stampede.verify;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

/**
 * What {@link FileVerifier} found in an output file.
 *
 * @param file the file checked
 * @param lines lines read (including bad ones)
 * @param first the first timestamp, or -1 if none
 * @param last the last timestamp, or -1 if none
 * @param violations how many lines break the format or the order
 * @param firstViolation the first of them, with its line number, or {@code null}
 * @param lateFile the late file read along, or {@code null} if there is none
 * @param lateLines lines of the late file
 * @param expected expected timestamps read ({@code --expect}), 0 without
 * @param expectedDistinct distinct expected timestamps
 * @param missing expected timestamps found in neither file
 * @param firstMissing the smallest of them, or -1
 */
public record VerifyResult(
        Path file,
        long lines,
        long first,
        long last,
        long violations,
        String firstViolation,
        Path lateFile,
        long lateLines,
        long expected,
        long expectedDistinct,
        long missing,
        long firstMissing) {

    /** Whether everything holds: well formed, ordered, unique, and complete if expected given. */
    public boolean ok() {
        return violations == 0 && missing == 0;
    }

    /** The report verify prints, one fact a line. */
    public String render() {
        final StringBuilder b = new StringBuilder();
        b.append("verify: ").append(file).append('\n');
        b.append(String.format(Locale.ROOT, "  lines     %,d%n", lines));
        if (first >= 0) {
            b.append("  first     ").append(first).append("  (").append(Instant.ofEpochMilli(first)).append(")\n");
            b.append("  last      ").append(last).append("  (").append(Instant.ofEpochMilli(last)).append(")\n");
            final long span = last - first;
            b.append(String.format(Locale.ROOT, "  span      %.3f s%n", span / 1000.0));
            b.append(String.format(Locale.ROOT, "  density   %.1f%% of the milliseconds in the span hold a timestamp%n",
                    100.0 * Math.min(lines, span + 1) / (span + 1)));
        }
        if (lateFile != null) {
            b.append(String.format(Locale.ROOT, "  late file %s: %,d lines%n", lateFile, lateLines));
        }
        if (expected > 0) {
            final long present = expectedDistinct - missing;
            b.append(String.format(Locale.ROOT, "  coverage  %,d of %,d expected timestamps present (%.3f%%)%n",
                    present, expectedDistinct, 100.0 * present / expectedDistinct));
            if (missing > 0) {
                b.append("  missing   ").append(String.format(Locale.ROOT, "%,d", missing))
                        .append(", the first is ").append(firstMissing).append('\n');
            }
        }
        if (firstViolation != null) {
            b.append(String.format(Locale.ROOT, "  violation %s%s%n", firstViolation,
                    violations > 1 ? String.format(Locale.ROOT, " (and %,d more)", violations - 1) : ""));
        }
        b.append(ok() ? "verify: OK" : "verify: FAILED");
        return b.toString();
    }
}
