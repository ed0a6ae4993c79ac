package dev.stampede.store;

import dev.stampede.format.Ascii;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Appends decimal lines to a file through one buffer: a line costs a few stores into memory, and
 * the file sees one {@code write} per {@link #flush()}, never one per line.
 *
 * <p>Crash-safe by construction: the file is opened for append only and never truncated, except
 * to cut an unfinished last line (a torn write of an earlier run, repaired on open, or the part of
 * a line a failing write left behind, cut right away so that the line is written whole later). A
 * failed write keeps every byte buffered (the buffer grows rather than drop anything) and
 * {@link #isFailing()} tells the owner to stop taking input until writes succeed again.
 *
 * <p>Owned by one thread (the event loop); only {@link #runBetweenWrites} may be called from
 * another.
 */
public final class LineAppender implements AutoCloseable {
    private final Path path;
    private final AppendChannel.Opener opener;
    private final int capacity;
    private final ReentrantLock writeLock = new ReentrantLock();
    private AppendChannel channel;
    private ByteBuffer primary;
    private ByteBuffer buffer;
    private long bytesWritten;
    private long linesAppended;
    private int tornBytesRepaired;
    private boolean dirty;
    private IOException lastError;

    /**
     * @param lazy create (or open) the file on the first flush with data rather than now, for
     *     files that usually stay empty, like the late file
     */
    public LineAppender(Path path, int bufferBytes, boolean lazy, AppendChannel.Opener opener) throws IOException {
        this.path = path;
        this.opener = opener;
        this.capacity = Math.max(4096, bufferBytes);
        if (!lazy) {
            open();
        }
    }

    /** An appender on a real file. */
    public LineAppender(Path path, int bufferBytes, boolean lazy) throws IOException {
        this(path, bufferBytes, lazy, AppendChannel.FILES);
    }

    /** Wraps an already opened (and checked) channel. */
    LineAppender(Path path, int bufferBytes, AppendChannel channel) {
        this.path = path;
        this.opener = AppendChannel.FILES;
        this.capacity = Math.max(4096, bufferBytes);
        this.channel = channel;
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
     *     case the unwritten lines stay buffered and {@link #lastError()} says why
     */
    public boolean flush() {
        if (buffer == null || buffer.position() == 0) {
            return true;
        }
        writeLock.lock();
        try {
            if (channel == null) {
                open();
            }
        } catch (IOException e) {
            lastError = e;
            writeLock.unlock();
            return false;
        }
        buffer.flip();
        try {
            while (buffer.hasRemaining()) {
                bytesWritten += channel.write(buffer);
            }
            dirty = true;
            lastError = null;
            buffer = primary.clear();
            return true;
        } catch (IOException e) {
            lastError = e;
            keepUnwrittenLines();
            return false;
        } finally {
            writeLock.unlock();
        }
    }

    /** Flushes, then asks the OS to put the file's data on disk. */
    public boolean sync() {
        if (!flush()) {
            return false;
        }
        if (!dirty) {
            return true;
        }
        try {
            channel.force();
            dirty = false;
            return true;
        } catch (IOException e) {
            lastError = e;
            return false;
        }
    }

    /** Whether the last write failed: lines are waiting; stop taking input until a flush works. */
    public boolean isFailing() {
        return lastError != null;
    }

    /** Whether more is buffered than the buffer normally holds (writes have been failing). */
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

    /** Bytes of an unfinished last line cut off when the file was opened. */
    public int tornBytesRepaired() {
        return tornBytesRepaired;
    }

    /**
     * Runs {@code action} (typically a halt) when no write is in progress, so it cannot leave a
     * torn line; waits at most {@code timeoutMs} for a write to finish. Any thread.
     */
    public void runBetweenWrites(Runnable action, long timeoutMs) {
        boolean locked = false;
        try {
            locked = writeLock.tryLock(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            action.run();
        } finally {
            if (locked) {
                writeLock.unlock();
            }
        }
    }

    /** Flushes and closes; fails if lines could not be written. */
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
        final AppendChannel ch = opener.open(path);
        try {
            tornBytesRepaired = TornLine.repair(ch, path);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        channel = ch;
    }

    /**
     * After a failed write (buffer flipped, position = bytes written): cut a partly written line
     * off the file, and keep everything from that line's start buffered for the next flush.
     */
    private void keepUnwrittenLines() {
        int lineStart = buffer.position();
        while (lineStart > 0 && buffer.get(lineStart - 1) != '\n') {
            lineStart--;
        }
        final int partial = buffer.position() - lineStart;
        if (partial > 0) {
            try {
                channel.truncate(channel.size() - partial);
                buffer.position(lineStart);
                bytesWritten -= partial;
            } catch (IOException e) {
                // Cannot cut it: leave the rest of the line buffered, the next write completes it.
            }
        }
        buffer.compact();
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
        return "LineAppender[" + path + "]";
    }
}
