package dev.stampede.journal;

import dev.stampede.format.Ascii;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Follows a growing file of timestamp lines ({@code tail -f}, by byte offset): each
 * {@link #read} takes the complete lines after the current offset, up to a limit, as values. The
 * publisher reads the server's own files this way, so the file is the journal: publication
 * catches up from it after any outage, and never holds more than one batch in memory.
 *
 * <p>Not thread-safe: owned by the publisher's thread.
 */
public final class FileTail implements AutoCloseable {
    private final Path path;
    private final ByteBuffer chunk;
    private FileChannel channel;
    private long offset;
    private long lastValue = Long.MIN_VALUE;

    /** @param maxValues most values one read returns */
    public FileTail(Path path, int maxValues) {
        this.path = path;
        this.chunk = ByteBuffer.allocate(maxValues * Ascii.MAX_LINE);
    }

    /** Continues from {@code offset} (a line start). */
    public void seek(long at) {
        offset = at;
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

    /**
     * Reads the complete lines after the offset into {@code values} (8 bytes each, from its
     * position), as many as fit the chunk and the buffer; moves the offset past them.
     *
     * @return the values read (0: nothing new)
     */
    public int read(ByteBuffer values) throws IOException {
        if (!open()) {
            return 0;
        }
        final int max = Math.min(values.remaining() / 8, chunk.capacity() / Ascii.MAX_LINE);
        chunk.clear().limit(max * Ascii.MAX_LINE);
        int n;
        do {
            n = channel.read(chunk, offset + chunk.position());
        } while (n > 0 && chunk.hasRemaining());
        final int end = chunk.position();
        int count = 0;
        int lineStart = 0;
        for (int i = 0; i < end && count < max; i++) {
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
