package dev.stampede.store;

import dev.stampede.format.Ascii;
import dev.stampede.format.OutputFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.Predicate;

/**
 * The late file's closed segments under {@code --rotate}: once the watermark leaves the window it
 * was in when the late file got its first line since the last cut ({@link LateCuts}), the late
 * file is fsynced and renamed {@code <output>.late.<yyyyMMdd'T'HHmmss'Z' of the last window the
 * watermark completed>}, and a new one is started at {@code <output>.late}. The segments sorted by name, then the file at the late path, are the late
 * values in arrival order. With {@code --retain N}, a segment is deleted once every window its
 * values belong to is older than the oldest closed file kept (deleted by --retain, or never
 * written), and, with {@code --repair-late}, once the repair checkpoint is past it. Segments are
 * never compressed ({@code --compress gzip} compresses the windows only): they hold late values
 * only, and go with their windows.
 */
final class LateSegments {
    private LateSegments() {}

    /** The name the late file gets when it is cut as the window starting at {@code windowStart} closes. */
    static Path name(Path output, long windowStart) {
        return Rotation.closedName(OutputFiles.latePath(output), windowStart);
    }

    /** The window start a segment's name carries (a {@code -N} suffix, if any, ignored). */
    static long startOf(Path output, Path segment) {
        final int from = OutputFiles.latePath(output).getFileName().toString().length() + 1;
        final String stamp = segment.getFileName().toString().substring(from, from + 15);
        return java.time.LocalDateTime.parse(stamp, java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"))
                .toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
    }

    /** The late file at its path, then (with {@code segments}) the segments, newest first: where a restart reads the newest late values. */
    static List<Path> newestFirst(Path output, boolean segments) throws IOException {
        final List<Path> files = new java.util.ArrayList<>(List.of(OutputFiles.latePath(output)));
        if (segments) {
            final List<Path> oldestFirst = list(output);
            for (int i = oldestFirst.size() - 1; i >= 0; i--) {
                files.add(oldestFirst.get(i));
            }
        }
        return files;
    }

    /** The closed late segments of {@code output}, oldest (first arrived) first. */
    static List<Path> list(Path output) throws IOException {
        return OutputFiles.lateSegments(output);
    }

    /**
     * Deletes the segments that {@code --retain} has made useless: those whose values all belong
     * to windows older than the oldest closed file kept, once N closed files exist (so --retain
     * has deleted the windows before them). Only segments whose name {@code mayDelete} accepts are
     * considered: the repair accepts those wholly before its checkpoint.
     *
     * @return how many were deleted
     */
    static int prune(Path output, Rotation rotation, Predicate<String> mayDelete) throws IOException {
        if (rotation.retain() == 0) {
            return 0;
        }
        final List<Path> closed = Rotation.closedFiles(output);
        if (closed.size() < rotation.retain()) {
            return 0; // --retain has deleted nothing yet
        }
        // Its window's name: a compressed window ({@code .gz}) is compared by its window, not its form.
        final String oldestKept = Rotation.windowName(closed.get(0));
        final String oldestStamp = oldestKept.substring(output.getFileName().toString().length() + 1);
        int deleted = 0;
        for (Path seg : list(output)) {
            final String name = seg.getFileName().toString();
            if (!mayDelete.test(name)) {
                break; // names are in arrival order: the later ones are not wholly read either
            }
            final String stamp = name.substring(OutputFiles.latePath(output).getFileName().toString().length() + 1);
            if (stamp.compareTo(oldestStamp) >= 0) {
                break; // cut while a kept window was current: later segments too (names are in arrival order)
            }
            final long max = maxValue(seg);
            if (max < 0 || Rotation.closedName(output, rotation.windowStart(max)).getFileName().toString()
                    .compareTo(oldestKept) < 0) {
                Files.deleteIfExists(seg);
                deleted++;
            }
        }
        return deleted;
    }

    /** The largest value of the complete lines of {@code file}, or -1 (none). */
    static long maxValue(Path file) throws IOException {
        long max = -1;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            long pos = 0;
            long acc = 0;
            int digits = 0;
            for (int n; (n = ch.read(buf.clear(), pos)) > 0; pos += n) {
                for (int i = 0; i < n; i++) {
                    final byte c = buf.get(i);
                    if (c == '\n') {
                        max = Math.max(max, Ascii.valueOf(acc, digits));
                        acc = 0;
                        digits = 0;
                    } else {
                        final int d = Ascii.digit(c);
                        if (d >= 0 && Ascii.hasRoom(digits)) {
                            acc = Ascii.accumulate(acc, d);
                            digits++;
                        }
                    }
                }
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return -1;
        }
        return max;
    }
}
