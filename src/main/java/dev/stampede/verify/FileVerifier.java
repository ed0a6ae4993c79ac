package dev.stampede.verify;

import dev.stampede.format.OutputFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleConsumer;

/**
 * Checks an output file, or several checked as one stream (rotated files, in order), against the
 * file guarantees of docs/DESIGN.md, in one streaming pass with constant memory: every line a
 * timestamp ending in {@code \n} (a last line without one is a torn write), strictly ascending
 * (non-decreasing with duplicates kept) across file boundaries too, and, given the client's
 * {@code --record} files, every recorded timestamp present in one of the files or in one of their
 * late files.
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
     * Checks {@code file} (and {@code file.late} if it exists, and its segments {@code file.late.<window>}
     * under {@code --rotate}) against {@code expectFiles}.
     *
     * @throws IOException if a file cannot be read, or an expect file is not timestamps
     */
    public VerifyResult verify(Path file, List<Path> expectFiles) throws IOException {
        return verify(List.of(file), expectFiles);
    }

    /**
     * Checks {@code files} as one stream, in the order given (each with its late file, if it
     * exists), against {@code expectFiles}: the first line of a file must come after the last line
     * of the files before it. One file is checked and reported exactly as by
     * {@link #verify(Path, List)}.
     *
     * @throws IOException if a file cannot be read, or an expect file is not timestamps
     */
    public VerifyResult verify(List<Path> files, List<Path> expectFiles) throws IOException {
        if (files.isEmpty()) {
            throw new VerifyException("no file to check");
        }
        long totalBytes = 0;
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                throw new VerifyException(file + ": no such file");
            }
            totalBytes += Files.size(file);
        }
        final boolean several = files.size() > 1;
        final ExpectedSet expected = expectFiles.isEmpty() ? null : ExpectedSet.load(expectFiles);
        final List<VerifyResult.Part> parts = new ArrayList<>(files.size());
        long first = -1;
        long prev = -1;
        int prevIndex = -1;
        long violations = 0;
        String firstViolation = null;
        long doneBytes = 0;
        long nextProgress = PROGRESS_EVERY_BYTES;
        for (int i = 0; i < files.size(); i++) {
            final Path file = files.get(i);
            long lines = 0;
            long fileFirst = -1;
            long fileLast = -1;
            try (LineReader r = new LineReader(file)) {
                for (int k = r.next(); k != LineReader.END; k = r.next()) {
                    lines++;
                    String problem = null;
                    if (k == LineReader.NUMBER) {
                        final long v = r.value();
                        if (first < 0) {
                            first = v;
                        } else if (v < prev || (v == prev && !keepDuplicates)) {
                            problem = prevIndex != i
                                    ? (v == prev ? v + " repeats the last line of " + files.get(prevIndex)
                                            : v + " is below the last line of " + files.get(prevIndex) + " (" + prev + ")")
                                    : v == prev ? v + " appears twice in a row"
                                            : v + " is below the line before (" + prev + ")";
                        }
                        prev = v;
                        prevIndex = i;
                        if (fileFirst < 0) {
                            fileFirst = v;
                        }
                        fileLast = v;
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
                            firstViolation = (several ? file + " " : "") + "line " + r.lineNumber() + ": " + problem;
                        }
                    }
                    if (progress != null && doneBytes + r.position() >= nextProgress) {
                        progress.accept((double) (doneBytes + r.position()) / Math.max(1, totalBytes));
                        nextProgress += PROGRESS_EVERY_BYTES;
                    }
                }
                doneBytes += r.position();
            }
            // Its late file, and under --rotate the late file's closed segments (<file>.late.<window>).
            final Path latePath = OutputFiles.latePath(file);
            final List<Path> lateFiles = new ArrayList<>(OutputFiles.lateSegments(file));
            if (Files.isRegularFile(latePath)) {
                lateFiles.add(latePath);
            }
            long lateLines = 0;
            final boolean hasLate = !lateFiles.isEmpty();
            final Path late = hasLate ? lateFiles.get(lateFiles.size() - 1) : null;
            for (Path lateFile : lateFiles) {
                try (LineReader r = new LineReader(lateFile)) {
                    for (int k = r.next(); k != LineReader.END; k = r.next()) {
                        lateLines++;
                        if (k == LineReader.NUMBER && expected != null) {
                            expected.see(r.value());
                        }
                    }
                }
            }
            parts.add(new VerifyResult.Part(file, lines, fileFirst, fileLast, hasLate ? late : null, lateLines));
        }
        return VerifyResult.of(parts, first, prev, violations, firstViolation,
                expected == null ? 0 : expected.total(), expected == null ? 0 : expected.distinct(),
                expected == null ? 0 : expected.missing(), expected == null ? -1 : expected.firstMissing());
    }
}
