package dev.stampede.store;

import dev.stampede.format.Ascii;
import dev.stampede.journal.DurableFiles;
import java.io.BufferedInputStream;
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
        try (InputStream in = open(window);
                OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), IO_BUFFER)) {
            final byte[] line = new byte[Ascii.MAX_LINE];
            int next = 0;
            long current = in == null ? -1 : readValue(in);
            while (current >= 0 || next < count) {
                if (next < count && (current < 0 || values[next] < current)) {
                    write(out, line, values[next++]);
                    added++;
                } else {
                    if (next < count && values[next] == current) {
                        next++; // already in the file: merged before
                    }
                    write(out, line, current);
                    current = readValue(in);
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

    private static InputStream open(Path window) throws IOException {
        try {
            return new BufferedInputStream(Files.newInputStream(window), IO_BUFFER);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** The next complete line's value, or -1 at the end (an unfinished last line is left out). */
    private static long readValue(InputStream in) throws IOException {
        if (in == null) {
            return -1;
        }
        long acc = 0;
        int digits = 0;
        for (int b = in.read(); b >= 0; b = in.read()) {
            if (b == '\n') {
                final long v = Ascii.valueOf(acc, digits);
                if (v >= 0) {
                    return v;
                }
                acc = 0;
                digits = 0;
            } else {
                final int d = Ascii.digit((byte) b);
                if (d >= 0 && Ascii.hasRoom(digits)) {
                    acc = Ascii.accumulate(acc, d);
                    digits++;
                }
            }
        }
        return -1;
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
