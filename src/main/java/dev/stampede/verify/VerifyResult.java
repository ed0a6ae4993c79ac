package dev.stampede.verify;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * What {@link FileVerifier} found in an output file, or in several checked as one stream.
 *
 * @param file the file checked (the first of them when there are several)
 * @param lines lines read (including bad ones), in all the files
 * @param first the first timestamp, or -1 if none
 * @param last the last timestamp, or -1 if none
 * @param violations how many lines break the format or the order
 * @param firstViolation the first of them, with its line number (and its file's name when there
 *     are several files), or {@code null}
 * @param lateFile the late file read along, or {@code null} if there is none (with several files:
 *     the first one found; each is in {@link #parts})
 * @param lateLines lines of the late files
 * @param expected expected timestamps read ({@code --expect}), 0 without
 * @param expectedDistinct distinct expected timestamps
 * @param missing expected timestamps found in no file
 * @param firstMissing the smallest of them, or -1
 * @param parts each file's own figures, in the order checked
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
        long firstMissing,
        List<Part> parts) {

    /**
     * One file's figures.
     *
     * @param file the file
     * @param lines its lines (including bad ones)
     * @param first its first timestamp, or -1 if none
     * @param last its last timestamp, or -1 if none
     * @param lateFile its late file, or {@code null} if there is none
     * @param lateLines lines of its late file
     */
    public record Part(Path file, long lines, long first, long last, Path lateFile, long lateLines) {}

    public VerifyResult {
        parts = List.copyOf(parts);
    }

    /** The result over {@code parts}, with their totals. */
    static VerifyResult of(List<Part> parts, long first, long last, long violations, String firstViolation,
            long expected, long expectedDistinct, long missing, long firstMissing) {
        long lines = 0;
        long lateLines = 0;
        Path lateFile = null;
        for (Part p : parts) {
            lines += p.lines();
            lateLines += p.lateLines();
            if (lateFile == null) {
                lateFile = p.lateFile();
            }
        }
        return new VerifyResult(parts.get(0).file(), lines, first, last, violations, firstViolation, lateFile,
                lateLines, expected, expectedDistinct, missing, firstMissing, parts);
    }

    /** Whether everything holds: well formed, ordered, unique, and complete if expected given. */
    public boolean ok() {
        return violations == 0 && missing == 0;
    }

    /** The report verify prints, one fact a line. */
    public String render() {
        final StringBuilder b = new StringBuilder();
        final boolean several = parts.size() > 1;
        if (several) {
            b.append("verify: ").append(parts.size()).append(" files, checked as one stream in this order\n");
            for (Part p : parts) {
                b.append(String.format(Locale.ROOT, "  file      %s: %,d lines", p.file(), p.lines()));
                if (p.first() >= 0) {
                    b.append(", ").append(p.first()).append(" to ").append(p.last());
                }
                if (p.lateFile() != null) {
                    b.append(String.format(Locale.ROOT, "; late file %s: %,d lines", p.lateFile(), p.lateLines()));
                }
                b.append('\n');
            }
            b.append("  total\n");
        } else {
            b.append("verify: ").append(file).append('\n');
        }
        b.append(String.format(Locale.ROOT, "  lines     %,d%n", lines));
        if (first >= 0) {
            b.append("  first     ").append(first).append("  (").append(Instant.ofEpochMilli(first)).append(")\n");
            b.append("  last      ").append(last).append("  (").append(Instant.ofEpochMilli(last)).append(")\n");
            final long span = last - first;
            b.append(String.format(Locale.ROOT, "  span      %.3f s%n", span / 1000.0));
            if (span >= 0) {
                b.append(String.format(Locale.ROOT,
                        "  density   %.1f%% of the milliseconds in the span hold a timestamp%n",
                        100.0 * Math.min(lines, span + 1) / (span + 1)));
            }
        }
        if (several) {
            final long lateFiles = parts.stream().filter(p -> p.lateFile() != null).count();
            if (lateFiles > 0) {
                b.append(String.format(Locale.ROOT, "  late      %,d lines in %d late files%n", lateLines, lateFiles));
            }
        } else if (lateFile != null) {
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
