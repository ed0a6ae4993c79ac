package dev.stampede.store;

import dev.stampede.format.Ascii;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The largest value among the last lines of a late file, read from its tail only. A late file is
 * in arrival order, not ascending, so this is not its maximum: it is what a restart needs, the
 * newest values an earlier run decided were late. A restart resumes its watermark above them, so
 * that a value one run put in the late file (just before a crash that lost the output's last
 * unflushed lines) is never written to the output by the next: written and late, never both.
 */
final class LateTail {
    /** How much of the tail is read: thousands of the newest late values. */
    static final int TAIL_BYTES = 64 * 1024;

    private LateTail() {}

    /**
     * The largest complete value up to {@code bound} in the last {@value #TAIL_BYTES} bytes of
     * {@code file}, or -1. The bound leaves out values ahead of the clock, which a clean stop puts
     * in the late file: a restart must not wait for them.
     */
    static long maxOfTail(Path file, long bound) throws IOException {
        if (!Files.exists(file)) {
            return -1;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            final long size = ch.size();
            final int n = (int) Math.min(size, TAIL_BYTES);
            final ByteBuffer buf = ByteBuffer.allocate(n);
            while (buf.hasRemaining() && ch.read(buf, size - n + buf.position()) > 0) {
                // read the whole tail
            }
            return maxOfCompleteLines(buf.array(), buf.position(), n < size, bound);
        }
    }

    /**
     * As {@link #maxOfTail}, over the newest {@value #TAIL_BYTES} bytes of several files, newest
     * first (the late file at its path, then its segments newest first, under {@code --rotate}):
     * a cut just before a crash leaves the newest values in a segment and the file at the path
     * (nearly) empty.
     */
    static long maxOfTails(java.util.List<Path> newestFirst, long bound) throws IOException {
        long max = -1;
        long left = TAIL_BYTES;
        for (Path file : newestFirst) {
            if (left <= 0) {
                break;
            }
            if (!Files.exists(file)) {
                continue;
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                final long size = ch.size();
                final int n = (int) Math.min(size, left);
                final ByteBuffer buf = ByteBuffer.allocate(n);
                while (buf.hasRemaining() && ch.read(buf, size - n + buf.position()) > 0) {
                    // read the whole tail
                }
                max = Math.max(max, maxOfCompleteLines(buf.array(), buf.position(), n < size, bound));
                left -= n;
            }
        }
        return max;
    }

    /** The largest value up to {@code bound} of the complete lines in {@code bytes[0..length)}; the first is partial if {@code cut}. */
    static long maxOfCompleteLines(byte[] bytes, int length, boolean cut, long bound) {
        long max = -1;
        int i = 0;
        if (cut) {
            while (i < length && bytes[i] != '\n') {
                i++;
            }
            i++;
        }
        long value = 0;
        int digits = 0;
        boolean bad = false;
        for (; i < length; i++) {
            final byte b = bytes[i];
            if (b == '\n') {
                if (digits > 0 && !bad && value > max && value <= bound) {
                    max = value;
                }
                value = 0;
                digits = 0;
                bad = false;
            } else {
                final int d = Ascii.digit(b);
                if (d < 0 || digits == 18) {
                    bad = true;
                } else {
                    value = value * 10 + d;
                    digits++;
                }
            }
        }
        return max;
    }
}
