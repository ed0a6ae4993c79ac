package dev.stampede.journal;

import dev.stampede.format.Ascii;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

/**
 * Follows a growing journal file of timestamp lines ({@code tail -f}, by byte offset): each
 * {@link #read} takes the complete lines after the current offset, up to a limit, as values. The
 * publisher reads the server's own files this way, so the file is the journal: publication
 * catches up from it after any outage, and never holds more than one batch in memory.
 *
 * <p>With a {@link DurableEnd}'s bytes as the limit it reads only what the writer has made
 * durable, so a reader never hands on a line that a power loss could still take from the file.
 * When the file turns out to hold less than (or other than) what was read from it before (it was
 * cut by a power loss and written again), {@link #seekAfterValue} and {@link #lineStartAtOrBefore}
 * find a line start to continue from.
 *
 * <p>Not thread-safe: owned by the reader's thread.
 */
public final class FileTail implements AutoCloseable {
    /** Bytes read at a time when scanning backwards for line starts: a few lines. */
    private static final int SCAN_CHUNK = 256;

    private final Path path;
    private final ByteBuffer chunk;
    private final LongSupplier limit;
    private FileChannel channel;
    private long offset;
    private long readableEnd;
    private long lastValue = Long.MIN_VALUE;

    /** Reads up to the file's end. @param maxValues most values one read returns */
    public FileTail(Path path, int maxValues) {
        this(path, maxValues, () -> Long.MAX_VALUE);
    }

    /**
     * Reads only up to {@code limit} (read at each {@link #read}): the durable bytes of the file's
     * writer, say.
     */
    public FileTail(Path path, int maxValues, LongSupplier limit) {
        this.path = path;
        this.chunk = ByteBuffer.allocate(maxValues * Ascii.MAX_LINE);
        this.limit = limit;
    }

    /** Continues from {@code offset} (a line start). */
    public void seek(long at) {
        offset = at;
        readableEnd = at;
    }

    /** Bytes of the file consumed so far. */
    public long offset() {
        return offset;
    }

    /** The last value read. */
    public long lastValue() {
        return lastValue;
    }

    /** The file's size now (0 if it does not exist yet). */
    public long size() throws IOException {
        return open() ? channel.size() : 0;
    }

    /** Whether the last {@link #read} took everything it could reach (the limit, or the file's end). */
    public boolean atEnd() {
        return offset == readableEnd;
    }

    /**
     * Reads the complete lines after the offset, below the limit, into {@code values} (8 bytes
     * each, from its position), as many as fit the chunk and the buffer; moves the offset past
     * them.
     *
     * @return the values read (0: nothing new)
     */
    public int read(ByteBuffer values) throws IOException {
        final long end = limit.getAsLong(); // first: the file then holds at least this much
        if (!open()) {
            return 0;
        }
        readableEnd = Math.max(offset, Math.min(end, channel.size()));
        final int max = Math.min(values.remaining() / 8, chunk.capacity() / Ascii.MAX_LINE);
        chunk.clear().limit((int) Math.min(max * Ascii.MAX_LINE, readableEnd - offset));
        int n;
        do {
            n = channel.read(chunk, offset + chunk.position());
        } while (n > 0 && chunk.hasRemaining());
        final int got = chunk.position();
        int count = 0;
        int lineStart = 0;
        for (int i = 0; i < got && count < max; i++) {
            if (chunk.get(i) == '\n') {
                final long v = Ascii.parse(chunk, lineStart, i);
                if (v < 0) {
                    throw new IOException(path + ": the line at byte " + (offset + lineStart)
                            + " is not a timestamp; cannot publish it");
                }
                values.putLong(v);
                lastValue = v;
                count++;
                lineStart = i + 1;
            }
        }
        offset += lineStart; // an unfinished last line waits for its newline
        return count;
    }

    /**
     * The value of the complete line that ends just before {@code at} (its newline at
     * {@code at - 1}), or -1 if there is none: the file is shorter, or {@code at} is not a line
     * end, or that line is not a timestamp.
     */
    public long valueBefore(long at) throws IOException {
        if (at <= 0 || !open() || channel.size() < at) {
            return -1;
        }
        final int n = (int) Math.min(at, Ascii.MAX_LINE + 1);
        final ByteBuffer b = readAt(at - n, n);
        if (b.get(n - 1) != '\n') {
            return -1;
        }
        int start = n - 1;
        while (start > 0 && b.get(start - 1) != '\n') {
            start--;
        }
        if (start == 0 && at > n) {
            return -1; // no newline before it within a line's length: not a line of ours
        }
        return Ascii.parse(b, start, n - 1);
    }

    /**
     * The start of the line that holds byte {@code at - 1}, or {@code at} if that byte ends a line:
     * where to continue when the bytes before {@code at} may have been written again. Bounded by
     * the file's complete lines.
     */
    public long lineStartAtOrBefore(long at) throws IOException {
        long p = Math.min(at, size());
        while (p > 0) {
            final int n = (int) Math.min(p, SCAN_CHUNK);
            final ByteBuffer b = readAt(p - n, n);
            for (int i = n - 1; i >= 0; i--) {
                if (b.get(i) == '\n') {
                    return p - n + i + 1;
                }
            }
            p -= n;
        }
        return 0;
    }

    /**
     * Moves the offset to the first complete line whose value is above {@code value} (or past the
     * last complete line, if none is): for a file of ascending values, where a reader that handed
     * on everything up to {@code value} continues. Scans backwards from the end, so a cut near the
     * end costs little.
     *
     * @return the new offset
     */
    public long seekAfterValue(long value) throws IOException {
        long lineEnd = lineStartAtOrBefore(Long.MAX_VALUE); // past the last complete line
        long at = lineEnd;
        while (lineEnd > 0) {
            final long start = lineStartAtOrBefore(lineEnd - 1);
            final ByteBuffer b = readAt(start, (int) (lineEnd - start));
            final long v = Ascii.parse(b, 0, b.limit() - 1);
            if (v < 0) {
                throw new IOException(path + ": the line at byte " + start + " is not a timestamp");
            }
            if (v <= value) {
                break;
            }
            at = start;
            lineEnd = start;
        }
        seek(at);
        return at;
    }

    private ByteBuffer readAt(long position, int n) throws IOException {
        final ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (channel.read(b, position + b.position()) < 0) {
                throw new IOException(path + " shrank while reading it");
            }
        }
        return b.flip();
    }

    private boolean open() throws IOException {
        if (channel == null) {
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return false; // the late file appears with its first value
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }
}
