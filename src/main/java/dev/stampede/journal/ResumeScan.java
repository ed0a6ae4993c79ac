package dev.stampede.journal;

import dev.stampede.format.Ascii;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads where an existing output file leaves off, so a restarted server can append to it: repairs
 * a torn last line, checks that the file is stampede output (its head and its recent tail are
 * ascending timestamps) and collects the tail's values within the duplicate history.
 *
 * <p>Reads the head (64 KiB) and the tail backwards (at most 32 MiB), never the whole file, so a
 * restart on a file of any size takes milliseconds.
 */
public final class ResumeScan {
    private static final int HEAD_BYTES = 64 * 1024;
    private static final int CHUNK_BYTES = 64 * 1024;
    private static final long MAX_TAIL_BYTES = 32L << 20;

    private final AppendChannel channel;
    private final Path path;
    private final boolean keepDuplicates;

    private ResumeScan(AppendChannel channel, Path path, boolean keepDuplicates) {
        this.channel = channel;
        this.path = path;
        this.keepDuplicates = keepDuplicates;
    }

    /**
     * Scans (and repairs) the file behind {@code channel}. A torn last line is cut only once the
     * rest of the file is accepted: a refused file is left exactly as it was.
     *
     * @param historyMs how far back from the last value to collect values
     * @throws FileFormatException if the file is not ascending timestamps, one per line
     */
    public static ResumePoint scan(AppendChannel channel, Path path, boolean keepDuplicates, long historyMs)
            throws IOException {
        final int torn = TornLine.tornBytes(channel, path);
        final long size = channel.size() - torn; // the file once the torn line is cut
        long[] recent = new long[0];
        long first = -1;
        if (size > 0) {
            final ResumeScan scan = new ResumeScan(channel, path, keepDuplicates);
            first = scan.checkHead(size);
            recent = scan.readTail(size, historyMs);
        }
        if (torn > 0) {
            // Only now that the rest is known to be ours: a refused file is left as it was.
            channel.truncate(size);
        }
        return new ResumePoint(recent.length == 0 ? -1 : recent[recent.length - 1], recent, torn, size, first);
    }

    /**
     * The first lines must be ascending timestamps: catches a wrong --output at once.
     *
     * @return the first value
     */
    private long checkHead(long size) throws IOException {
        final ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, HEAD_BYTES));
        TornLine.readFully(channel, head, 0);
        long prev = -1;
        long first = -1;
        int lineStart = 0;
        for (int i = 0; i < head.limit(); i++) {
            if (head.get(i) == '\n') {
                final long v = Ascii.parse(head, lineStart, i);
                if (v < 0) {
                    throw notTimestamps(lineStart, head, lineStart, i);
                }
                checkOrder(v, prev, lineStart);
                if (first < 0) {
                    first = v;
                }
                prev = v;
                lineStart = i + 1;
            }
        }
        return first;
    }

    /** Values of the last lines, back to {@code historyMs} below the last, ascending. */
    private long[] readTail(long size, long historyMs) throws IOException {
        long[] values = new long[1024];
        int count = 0;
        final ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
        // The current line, collected backwards into the end of this buffer: it reads forwards.
        final ByteBuffer line = ByteBuffer.allocate(TornLine.MAX_TORN_BYTES + 1);
        final int lineEnd = line.capacity();
        int lineLen = 0;
        long end = size - 1; // skip the final newline
        long floor = Long.MIN_VALUE;
        long later = -1; // the value of the line after the current one, once there is one
        outer:
        while (end > 0 && size - end <= MAX_TAIL_BYTES) {
            final long start = Math.max(0, end - CHUNK_BYTES);
            chunk.clear().limit((int) (end - start));
            TornLine.readFully(channel, chunk, start);
            for (int i = chunk.limit() - 1; i >= -1; i--) {
                if (i < 0 && start > 0) {
                    break; // the line continues in the previous chunk
                }
                final boolean atLineStart = i < 0 || chunk.get(i) == '\n';
                if (!atLineStart) {
                    if (lineLen == lineEnd) {
                        throw new FileFormatException(path + ": a line near byte " + (start + i)
                                + " is longer than a timestamp: not a stampede output file; refusing to append to it");
                    }
                    line.put(lineEnd - ++lineLen, chunk.get(i));
                    continue;
                }
                final long v = Ascii.parse(line, lineEnd - lineLen, lineEnd);
                final long lineOffset = start + i + 1;
                if (v < 0) {
                    throw new FileFormatException(path + ": the line at byte " + lineOffset
                            + " is not a timestamp: not a stampede output file; refusing to append to it"
                            + " (choose another --output)");
                }
                if (count == 0) {
                    floor = v - historyMs;
                } else {
                    checkOrder(later, v, lineOffset);
                }
                if (v < floor) {
                    break outer;
                }
                if (count == values.length) {
                    values = Arrays.copyOf(values, count * 2);
                }
                values[count++] = v;
                later = v;
                lineLen = 0;
            }
            end = start;
        }
        final long[] ascending = new long[count];
        for (int i = 0; i < count; i++) {
            ascending[i] = values[count - 1 - i];
        }
        return ascending;
    }

    private void checkOrder(long later, long earlier, long offset) throws FileFormatException {
        if (later < earlier || (later == earlier && !keepDuplicates)) {
            throw new FileFormatException(path + ": values are not ascending near byte " + offset + " (" + earlier
                    + " then " + later + ")"
                    + (later == earlier ? ": it has repeated values; was it written with --keep-duplicates?" : "")
                    + "; refusing to append to it (choose another --output)");
        }
    }

    private FileFormatException notTimestamps(long offset, ByteBuffer b, int from, int to) {
        final byte[] text = new byte[Math.min(to - from, 40)];
        b.get(from, text);
        return new FileFormatException(path + ": the line at byte " + offset + " ('"
                + new String(text, java.nio.charset.StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", "?")
                + "') is not a timestamp: not a stampede output file; refusing to append to it (choose another --output)");
    }
}
