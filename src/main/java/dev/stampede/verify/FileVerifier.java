package dev.stampede.verify;

import dev.stampede.store.OutputStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.DoubleConsumer;

/**
 * Checks an output file against the file guarantees of docs/DESIGN.md, in one streaming pass
 * with constant memory: every line a timestamp ending in {@code \n} (a last line without one is
 * a torn write), strictly ascending (non-decreasing with duplicates kept), and, given the
 * client's {@code --record} files, every recorded timestamp present in the file or in its late
 * file.
 */
public final class FileVerifier {
    private static final long PROGRESS_EVERY_BYTES = 64L << 20;

    private final boolean keepDuplicates;
    private final DoubleConsumer progress;

    /**
     * @param progress told the fraction done every 64 MiB of a long file; may be {@code null}
     */
    public FileVerifier(boolean keepDuplicates, DoubleConsumer progress) {
        this.keepDuplicates = keepDuplicates;
        this.progress = progress;
    }

    /**
     * Checks {@code file} (and {@code file.late} if it exists) against {@code expectFiles}.
     *
     * @throws IOException if a file cannot be read, or an expect file is not timestamps
     */
    public VerifyResult verify(Path file, List<Path> expectFiles) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new VerifyException(file + ": no such file");
        }
        final ExpectedSet expected = expectFiles.isEmpty() ? null : ExpectedSet.load(expectFiles);
        long lines = 0;
        long first = -1;
        long prev = -1;
        long violations = 0;
        String firstViolation = null;
        try (LineReader r = new LineReader(file)) {
            long nextProgress = PROGRESS_EVERY_BYTES;
            for (int k = r.next(); k != LineReader.END; k = r.next()) {
                lines++;
                String problem = null;
                if (k == LineReader.NUMBER) {
                    final long v = r.value();
                    if (first < 0) {
                        first = v;
                    } else if (v < prev || (v == prev && !keepDuplicates)) {
                        problem = v == prev ? v + " appears twice in a row" : v + " is below the line before (" + prev + ")";
                    }
                    prev = v;
                    if (expected != null) {
                        expected.see(v);
                    }
                } else {
                    problem = k == LineReader.UNTERMINATED ? "the last line has no newline (torn write)"
                            : "not a timestamp (1 to 19 digits)";
                }
                if (problem != null) {
                    violations++;
                    if (firstViolation == null) {
                        firstViolation = "line " + r.lineNumber() + ": " + problem;
                    }
                }
                if (progress != null && r.position() >= nextProgress) {
                    progress.accept((double) r.position() / Math.max(1, r.size()));
                    nextProgress += PROGRESS_EVERY_BYTES;
                }
            }
        }
        final Path late = OutputStore.latePath(file);
        long lateLines = 0;
        final boolean hasLate = Files.isRegularFile(late);
        if (hasLate) {
            try (LineReader r = new LineReader(late)) {
                for (int k = r.next(); k != LineReader.END; k = r.next()) {
                    lateLines++;
                    if (k == LineReader.NUMBER && expected != null) {
                        expected.see(r.value());
                    }
                }
            }
        }
        return new VerifyResult(file, lines, first, prev, violations, firstViolation, hasLate ? late : null,
                lateLines, expected == null ? 0 : expected.total(), expected == null ? 0 : expected.distinct(),
                expected == null ? 0 : expected.missing(), expected == null ? -1 : expected.firstMissing());
    }
}
