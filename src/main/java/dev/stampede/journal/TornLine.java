package dev.stampede.journal;

import dev.stampede.format.Ascii;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Repairs the one damage an append-only line file can take from a crash: a last line cut in the
 * middle of a write. The unfinished line is cut off, back to the last newline; nothing before it
 * is touched.
 */
public final class TornLine {
    /** Longest unfinished line that is repaired; more than this without a newline is not our file. */
    static final int MAX_TORN_BYTES = 64;

    private TornLine() {}

    /**
     * Cuts an unfinished last line off the file behind {@code channel}.
     *
     * @return bytes cut (0 if the file is empty or ends with a newline)
     * @throws FileFormatException if the file ends with more than {@value #MAX_TORN_BYTES} bytes
     *     without a newline: not a file of lines, left alone
     */
    public static int repair(AppendChannel channel, Path path) throws IOException {
        final int cut = tornBytes(channel, path);
        if (cut > 0) {
            channel.truncate(channel.size() - cut);
        }
        return cut;
    }

    /**
     * Bytes of the unfinished last line that {@link #repair} would cut, without cutting them.
     *
     * @throws FileFormatException as {@link #repair}
     */
    static int tornBytes(AppendChannel channel, Path path) throws IOException {
        final long size = channel.size();
        if (size == 0) {
            return 0;
        }
        final int n = (int) Math.min(size, MAX_TORN_BYTES + 1);
        final ByteBuffer tail = ByteBuffer.allocate(n);
        readFully(channel, tail, size - n);
        if (tail.get(n - 1) == '\n') {
            return 0;
        }
        int start = n - 1;
        while (start > 0 && tail.get(start - 1) != '\n') {
            start--;
        }
        final boolean lineStartFound = start > 0 || size <= MAX_TORN_BYTES;
        if (!lineStartFound || !digitsOnly(tail, start, n)) {
            // What our writer leaves is a prefix of a number; anything else is someone else's file.
            throw new FileFormatException(path + " ends with an unfinished line that is not part of a timestamp: "
                    + "not a file of timestamps; refusing to append to it");
        }
        return n - start;
    }

    private static boolean digitsOnly(ByteBuffer b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (Ascii.digit(b.get(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    static void readFully(AppendChannel channel, ByteBuffer dst, long position) throws IOException {
        long at = position;
        while (dst.hasRemaining()) {
            final int r = channel.read(dst, at);
            if (r < 0) {
                throw new IOException("file shrank while reading it");
            }
            at += r;
        }
        dst.flip();
    }
}
