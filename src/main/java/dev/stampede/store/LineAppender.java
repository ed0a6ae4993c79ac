package dev.stampede.store;

import dev.stampede.protocol.Ascii;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Appends decimal lines to a file through one buffer: a line costs a few stores into memory, and
 * the file sees one {@code write} per {@link #flush()}, never one per line.
 *
 * <p>The file is opened for append only (never truncated). A failed write keeps every byte in the
 * buffer, which grows rather than drop anything; callers watch {@link #isBackedUp()} to stop taking
 * input until writes succeed again. Whole lines only reach the file in one piece unless the process
 * dies inside a {@code write}.
 *
 * <p>Not thread-safe: owned by the event loop.
 */
public final class LineAppender implements AutoCloseable {
    private final Path path;
    private final boolean lazy;
    private final int capacity;
    private FileChannel channel;
    private ByteBuffer primary;
    private ByteBuffer buffer;
    private long bytesWritten;
    private long linesAppended;
    private IOException lastError;

    /**
     * @param lazy create the file on the first line rather than now (for files that are usually
     *     empty, like the late file)
     */
    public LineAppender(Path path, int bufferBytes, boolean lazy) throws IOException {
        this.path = path;
        this.lazy = lazy;
        this.capacity = Math.max(4096, bufferBytes);
        if (!lazy) {
            open();
        }
    }

    /** The file appended to. */
    public Path path() {
        return path;
    }

    /** Appends {@code value} and a newline (to the buffer). */
    public void append(long value) {
        if (buffer == null) {
            primary = ByteBuffer.allocateDirect(capacity);
            buffer = primary;
        }
        if (buffer.remaining() < Ascii.MAX_LINE && !flush()) {
            grow();
        }
        Ascii.putLine(buffer, value);
        linesAppended++;
    }

    /**
     * Writes the buffer to the file.
     *
     * @return {@code true} if the buffer is now empty; {@code false} if a write failed, in which
     *     case the unwritten bytes stay buffered and {@link #lastError()} says why
     */
    public boolean flush() {
        if (buffer == null || buffer.position() == 0) {
            return true;
        }
        buffer.flip();
        try {
            if (channel == null) {
                open();
            }
            while (buffer.hasRemaining()) {
                bytesWritten += channel.write(buffer);
            }
            lastError = null;
            if (buffer != primary) {
                buffer = primary.clear();
            }
            return true;
        } catch (IOException e) {
            lastError = e;
            return false;
        } finally {
            buffer.compact();
        }
    }

    /** Flushes, then asks the OS to put the file's data on disk ({@code fdatasync}). */
    public boolean sync() {
        if (!flush()) {
            return false;
        }
        if (channel == null) {
            return true;
        }
        try {
            channel.force(false);
            return true;
        } catch (IOException e) {
            lastError = e;
            return false;
        }
    }

    /** Whether bytes are waiting in the buffer beyond its normal size (writes are failing). */
    public boolean isBackedUp() {
        return buffer != null && buffer.capacity() > capacity;
    }

    /** Bytes buffered but not yet written. */
    public int bufferedBytes() {
        return buffer == null ? 0 : buffer.position();
    }

    /** The error of the last failed write, or {@code null} after a successful one. */
    public IOException lastError() {
        return lastError;
    }

    /** Bytes handed to the OS. */
    public long bytesWritten() {
        return bytesWritten;
    }

    /** Lines appended (buffered or written). */
    public long linesAppended() {
        return linesAppended;
    }

    /** Whether the file exists on disk (a lazy appender creates it on the first flush). */
    public boolean isOpen() {
        return channel != null;
    }

    /** Flushes and closes; the buffer is dropped only if it is empty. */
    @Override
    public void close() throws IOException {
        final boolean flushed = flush();
        if (channel != null) {
            channel.close();
        }
        if (!flushed) {
            throw new IOException(bufferedBytes() + " bytes could not be written to " + path, lastError);
        }
    }

    private void open() throws IOException {
        channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** Rare path (the file is not taking writes): keep everything, in a larger heap buffer. */
    private void grow() {
        final ByteBuffer bigger = ByteBuffer.allocate(buffer.capacity() * 2);
        buffer.flip();
        bigger.put(buffer);
        buffer = bigger;
    }

    @Override
    public String toString() {
        return "LineAppender[" + path + (lazy ? ", lazy" : "") + "]";
    }
}
