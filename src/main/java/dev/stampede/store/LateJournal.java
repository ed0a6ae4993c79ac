package dev.stampede.store;

import dev.stampede.format.Ascii;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Reads the late values in arrival order for {@link LateRepair}: the closed segments
 * ({@link LateSegments}) oldest first, then the file at the late path, from a {@link Position}
 * that survives the late file's cuts and restarts.
 *
 * <p>A cut renames the current file to a segment named after every existing one, then starts a new
 * file at the path. So a position in the current file is kept with the name of the newest segment
 * when that file was entered ({@link Position#after}): once a segment named after it exists, the
 * file read is that segment, at the same offset. The current file is opened before the segments
 * are listed, and its durable length read before that: if the listing shows no new segment, the
 * channel and the length are of the same file.
 */
final class LateJournal {
    /**
     * Where the next unread line starts: in {@code segment} (a file name), or, when it is
     * {@code null}, in the current late file, the one after segment {@code after} ({@code null}:
     * after none).
     */
    record Position(String segment, String after, long offset) {
        /** The checkpoint text: the offset, then where it is (nothing for the first current file). */
        String text() {
            return segment != null ? offset + " in " + segment : after != null ? offset + " after " + after
                    : String.valueOf(offset);
        }

        /** The position a checkpoint's text names; the start for anything else. */
        static Position parse(String text) {
            final String[] f = text.strip().split(" ", 3); // a name may hold spaces
            try {
                final long off = Long.parseLong(f[0]);
                if (off >= 0 && f.length == 1) {
                    return new Position(null, null, off);
                }
                if (off >= 0 && f.length == 3 && f[1].equals("in")) {
                    return new Position(f[2], null, off);
                }
                if (off >= 0 && f.length == 3 && f[1].equals("after")) {
                    return new Position(null, f[2], off);
                }
            } catch (NumberFormatException e) {
                // the start
            }
            return new Position(null, null, 0);
        }

        /** Whether this is before {@code o} in arrival order (same file: lower offset). */
        boolean before(Position o) {
            if (Objects.equals(segment, o.segment)) {
                return offset < o.offset;
            }
            return o.segment == null || segment != null && segment.compareTo(o.segment) < 0;
        }

        /** Whether segment {@code name} is wholly before this position. */
        boolean isPast(String name) {
            return segment != null ? name.compareTo(segment) < 0 : after != null && name.compareTo(after) <= 0;
        }
    }

    /** Takes each value read, with the file (segment name, or null: the current one) and offset of its line. */
    interface Sink {
        /** A value read. */
        void value(long v, String segment, long lineStart);

        /** The current file was found cut: it is now segment {@code name}. */
        void cut(String name);
    }

    private final Path output;
    private final Path lateFile;
    /** The newest segment and the current file's size when opened (an earlier run's file, all durable). */
    private final String afterAtOpen;
    private final long sizeAtOpen;
    private Position at;

    LateJournal(Path output, Path lateFile, Position from) throws IOException {
        this.output = output;
        this.lateFile = lateFile;
        final List<Path> segs = LateSegments.list(output);
        this.afterAtOpen = segs.isEmpty() ? null : segs.get(segs.size() - 1).getFileName().toString();
        this.sizeAtOpen = Files.exists(lateFile) ? Files.size(lateFile) : 0;
        if (from.segment == null && Objects.equals(from.after, afterAtOpen) && from.offset > sizeAtOpen) {
            from = new Position(null, from.after, 0); // a late file replaced since: start over (merging is idempotent)
        }
        this.at = from;
    }

    /** Where the next unread line starts. */
    Position position() {
        return at;
    }

    /**
     * Reads every complete line not read yet: the segments whole, the current file up to its
     * durable length ({@code durable}, read first), or its whole length if {@code all} (its
     * writer is closed).
     */
    void read(LongSupplier durable, boolean all, Sink sink) throws IOException {
        while (true) {
            List<Path> segs = LateSegments.list(output);
            if (at.segment == null) {
                final String next = firstAfter(segs, at.after);
                if (next != null) {
                    sink.cut(next);
                    at = new Position(next, null, at.offset);
                }
            }
            while (at.segment != null) {
                final Path seg = output.resolveSibling(at.segment);
                final long end = Files.exists(seg) ? Files.size(seg) : 0;
                if (end > at.offset) {
                    // A segment is never appended to again: an unfinished last line (an earlier run's
                    // torn write, cut before it was repaired) is no value, and reading goes on past it.
                    readLines(seg, at.offset, end, at.segment, sink);
                }
                final String next = firstAfter(segs, at.segment);
                at = next != null ? new Position(next, null, 0) : new Position(null, at.segment, 0);
            }
            final long d = all ? Long.MAX_VALUE
                    : Objects.equals(at.after, afterAtOpen) ? Math.max(sizeAtOpen, durable.getAsLong())
                    : durable.getAsLong();
            try (FileChannel ch = FileChannel.open(lateFile, StandardOpenOption.READ)) {
                segs = LateSegments.list(output);
                if (firstAfter(segs, at.after) != null) {
                    continue; // cut since: the channel may be the new file; read the segment first
                }
                final long end = Math.min(d, ch.size());
                if (end > at.offset) {
                    at = new Position(null, at.after, readLines(ch, at.offset, end, null, sink));
                }
                return;
            } catch (NoSuchFileException e) {
                return; // no late value yet, or between a cut's rename and the new file
            }
        }
    }

    private static String firstAfter(List<Path> segs, String name) {
        for (Path p : segs) {
            final String n = p.getFileName().toString();
            if (name == null || n.compareTo(name) > 0) {
                return n;
            }
        }
        return null;
    }

    private static long readLines(Path file, long from, long to, String segment, Sink sink) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            return readLines(ch, from, to, segment, sink);
        }
    }

    /** Hands the complete lines in {@code [from, to)} to the sink; returns where the first line not read starts. */
    private static long readLines(FileChannel ch, long from, long to, String segment, Sink sink) throws IOException {
        long lineStart = from;
        final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long pos = from;
        long acc = 0;
        int digits = 0;
        while (pos < to) {
            buf.clear().limit((int) Math.min(buf.capacity(), to - pos));
            final int n = ch.read(buf, pos);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                final byte c = buf.get(i);
                if (c == '\n') {
                    final long v = Ascii.valueOf(acc, digits);
                    if (v >= 0) {
                        sink.value(v, segment, lineStart);
                    }
                    acc = 0;
                    digits = 0;
                    lineStart = pos + i + 1;
                } else {
                    final int d = Ascii.digit(c);
                    if (d >= 0 && Ascii.hasRoom(digits)) {
                        acc = Ascii.accumulate(acc, d);
                        digits++;
                    }
                }
            }
            pos += n;
        }
        return lineStart;
    }
}
