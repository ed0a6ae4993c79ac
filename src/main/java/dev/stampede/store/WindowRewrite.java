package dev.stampede.store;

import dev.stampede.format.Ascii;
import dev.stampede.journal.DurableFiles;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Merges late values into one window file, all at once: the file is read, the values merged in
 * (ascending; a value the file already holds is dropped, so merging the same values twice is a
 * no-op), the result written to {@code <window>.tmp} beside it, fsynced, renamed over the window,
 * and the directory fsynced ({@link DurableFiles#atomicMove}). A reader, or a crash at any step,
 * sees the old file or the new one, whole. Costs one sequential read and one write of the window.
 * A compressed window ({@code <window>.gz}, {@code --compress gzip}) is read and written gzipped.
 */
final class WindowRewrite {
    private static final int IO_BUFFER = 1 << 16;

    private WindowRewrite() {}

    /** The temporary file a rewrite of {@code window} writes first. */
    static Path tmpOf(Path window) {
        return window.resolveSibling(window.getFileName() + ".tmp");
    }

    /**
     * Merges {@code values[0..count)} (ascending, unique) into {@code window} (which may not exist
     * yet: then it is created with them).
     *
     * @return how many of the values were not in the file already (0: the file is left untouched)
     */
    static int merge(Path window, long[] values, int count, DurableFiles.Fsync fsync) throws IOException {
        if (count == 0) {
            return 0;
        }
        final Path tmp = tmpOf(window);
        int added = 0;
        try (Lines in = Lines.open(window);
                OutputStream out = Rotation.isCompressed(window)
                        ? WindowCompressor.gzip(Files.newOutputStream(tmp))
                        : new BufferedOutputStream(Files.newOutputStream(tmp), IO_BUFFER)) {
            final byte[] line = new byte[Ascii.MAX_LINE];
            int next = 0;
            long current = in.next();
            while (current >= 0 || next < count) {
                if (next < count && (current < 0 || values[next] < current)) {
                    write(out, line, values[next++]);
                    added++;
                } else {
                    if (next < count && values[next] == current) {
                        next++; // already in the file: merged before
                    }
                    write(out, line, current);
                    current = in.next();
                }
            }
        }
        if (added == 0) {
            Files.deleteIfExists(tmp);
            return 0;
        }
        DurableFiles.atomicMove(tmp, window, fsync);
        return added;
    }

    /** A window file's values, read a chunk at a time (no lock or call per byte). */
    private static final class Lines implements AutoCloseable {
        private final InputStream in;
        private final byte[] buf = new byte[IO_BUFFER];
        private int pos;
        private int len;

        private Lines(InputStream in) {
            this.in = in;
        }

        /** The lines of {@code window}; none if it does not exist. */
        static Lines open(Path window) throws IOException {
            try {
                final InputStream in = Files.newInputStream(window);
                return new Lines(Rotation.isCompressed(window) ? new java.util.zip.GZIPInputStream(in, IO_BUFFER) : in);
            } catch (NoSuchFileException e) {
                return new Lines(null);
            }
        }

        /** The next complete line's value, or -1 at the end (an unfinished last line is left out). */
        long next() throws IOException {
            long acc = 0;
            int digits = 0;
            while (true) {
                if (pos == len) {
                    len = in == null ? -1 : in.read(buf);
                    pos = 0;
                    if (len <= 0) {
                        len = 0;
                        return -1;
                    }
                }
                final byte b = buf[pos++];
                if (b == '\n') {
                    final long v = Ascii.valueOf(acc, digits);
                    if (v >= 0) {
                        return v;
                    }
                    acc = 0;
                    digits = 0;
                } else {
                    final int d = Ascii.digit(b);
                    if (d >= 0 && Ascii.hasRoom(digits)) {
                        acc = Ascii.accumulate(acc, d);
                        digits++;
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (in != null) {
                in.close();
            }
        }
    }

    private static void write(OutputStream out, byte[] line, long value) throws IOException {
        int i = line.length;
        line[--i] = '\n';
        long v = value;
        do {
            line[--i] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v != 0);
        out.write(line, i, line.length - i);
    }
}
