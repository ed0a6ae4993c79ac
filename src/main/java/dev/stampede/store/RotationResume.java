package dev.stampede.store;

import dev.stampede.journal.AppendChannel;
import dev.stampede.journal.ResumePoint;
import dev.stampede.journal.ResumeScan;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Where a rotated output resumes when the file at its path holds no value (a crash right after a
 * rotation, or a window that got none): after the newest closed window, read in whichever form it
 * has (a {@code .gz} is unzipped beside it for the scan). Its window is closed, so the watermark
 * starts at its end: a value of a closed window that comes after the restart is late, never a
 * second file of that window.
 */
final class RotationResume {
    private RotationResume() {}

    /** Where the newest closed file of a rotation ends (the path itself holds nothing yet). */
    static ResumePoint afterNewestClosed(Path outputFile, boolean keepDuplicates, long historyMs, ResumePoint empty,
            Rotation rotation) throws IOException {
        final java.util.List<Path> closed = Rotation.closedFiles(outputFile);
        if (closed.isEmpty()) {
            return empty;
        }
        final Path newest = closed.get(closed.size() - 1);
        final Path plain = Rotation.isCompressed(newest) ? WindowCompressor.unzipBeside(newest) : newest;
        try (AppendChannel last = AppendChannel.FILES.open(plain)) {
            final ResumePoint p = ResumeScan.scan(last, newest, keepDuplicates, historyMs);
            // Resume after it; the path's own (empty) file is where the writing goes on. The window
            // is closed: nothing more may go into it, so the watermark starts at its end.
            final long resumeAt = p.hasData() ? Math.max(p.lastValue(), rotation.windowStart(p.lastValue())
                    + rotation.periodMs() - 1) : p.lastValue();
            return new ResumePoint(resumeAt, p.recent(), empty.tornBytes(), 0, -1);
        } finally {
            if (plain != newest) {
                java.nio.file.Files.deleteIfExists(plain);
            }
        }
    }
}
