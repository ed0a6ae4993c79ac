package dev.stampede.store;

import dev.stampede.journal.LineAppender;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * When the late file is cut into a segment under {@code --rotate} ({@link LateSegments}): once the
 * watermark has left the window it was in when the late file got its first line since the last
 * cut. So the cut follows event time, as the output's windows do, but does not need a window of
 * the output to close: a server that receives only late values (its live clients gone, a replay
 * after a failover) cuts its late file all the same, and --retain can delete old segments.
 *
 * <p>A segment is named after the last window the watermark completed at its cut
 * ({@code <output>.late.<start>}), raised above the newest segment's name if need be (a restart
 * whose watermark resumed below the last cut), so that names grow with each cut: the segments by
 * name, then the file at the late path, are the late values in arrival order. Owned by the store's
 * owner thread; the cut itself is a marker in the late writer's batches (its thread fsyncs and
 * renames, as for the output).
 */
final class LateCuts {
    private static final long NONE = Long.MIN_VALUE;

    private final Path output;
    private final Rotation rotation;
    private final LineAppender late;
    /** The window of the watermark when the late file got its first line since the last cut; NONE: no such line. */
    private long since;
    /** The start in the newest segment's name, or NONE. */
    private long newestName;
    /** The watermark of the last flush, or NONE. */
    private long watermark = NONE;

    /**
     * @param uncut the late file holds an earlier run's lines: they are cut at the first flush
     */
    LateCuts(Path output, Rotation rotation, LineAppender late, boolean uncut) throws IOException {
        this.output = output;
        this.rotation = rotation;
        this.late = late;
        this.since = uncut ? -1 : NONE; // below every window of a real watermark
        final List<Path> segments = LateSegments.list(output);
        this.newestName = segments.isEmpty() ? NONE : LateSegments.startOf(output, segments.get(segments.size() - 1));
    }

    /** A late line was appended (below the watermark, or a clean stop's value ahead of it). */
    void appended(long value) {
        if (since == NONE) {
            since = rotation.windowStart(Math.max(value, watermark));
        }
    }

    /** The store flushes at {@code wm}: every final value below it is appended. Cuts if the watermark left the lines' window. */
    void flushing(long wm) {
        if (wm < 0) {
            return; // no watermark yet
        }
        watermark = Math.max(watermark, wm);
        if (since == NONE) {
            return;
        }
        final long current = rotation.windowStart(watermark);
        if (current > since) {
            long name = current - rotation.periodMs();
            if (newestName != NONE && name <= newestName) {
                name = newestName + rotation.periodMs();
            }
            late.rotate(LateSegments.name(output, name));
            newestName = name;
            since = NONE;
        }
    }
}
