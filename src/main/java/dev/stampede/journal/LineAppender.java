package dev.stampede.journal;

import dev.stampede.format.Ascii;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Appends decimal lines to a file without ever making its caller wait for the disk: the caller
 * (an event loop) formats lines into a batch buffer, and {@link #flush} hands the batch to a
 * writer thread of this appender's own, which writes it (one {@code write} per batch, never one
 * per line) and fsyncs it when asked. A line costs a few stores into memory.
 *
 * <h2>Batches and back-pressure</h2>
 * {@value #BATCHES} buffers circulate: one being filled, the others queued or being written. When
 * the writer has all of them (a slow disk, a long fsync), a flush keeps filling the current one,
 * so that the next write carries more (group commit); {@link #isBackedUp()} tells the owner to
 * stop taking input once that batch is half full, and the buffer grows rather than drop a line.
 * {@link #tryAppend} never grows: for a best-effort file (a client's record) that must never cost
 * memory.
 *
 * <h2>Failures</h2>
 * Crash-safe by construction: the file is opened for append only and never truncated, except to
 * cut an unfinished last line (a torn write of an earlier run, repaired on open, or the part of a
 * line a failing write left behind, cut at once so that the line is written whole later). A failed
 * write keeps its batch, and the writer retries every {@value #RETRY_MS} ms; meanwhile
 * {@link #isFailing()} says so and {@link #isBackedUp()} soon does.
 *
 * <h2>Threading</h2>
 * {@code append}, {@code tryAppend}, {@code flush}, {@code close} and the loop-side figures belong
 * to one owner thread; the writer thread (daemon, started by the first hand-off) owns the file;
 * {@link #isFailing()}, {@link #lastError()}, {@link #bytesWritten()} and {@link #runBetweenWrites}
 * are safe from any thread. Hand-offs go through two bounded queues, a few per second: no lock per
 * line.
 */
public final class LineAppender implements AutoCloseable {
    /** Buffers in circulation: one filling, the rest queued for or in the writer. */
    static final int BATCHES = 3;
    /** Most buffers at once: a rotation while the writer has every batch takes one more. */
    private static final int MAX_BATCHES = 16;
    private static final long RETRY_MS = 250;

    private final Path path;
    private final AppendChannel.Opener opener;
    private final int capacity;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ArrayBlockingQueue<Batch> toWrite = new ArrayBlockingQueue<>(MAX_BATCHES);
    private final ArrayBlockingQueue<Batch> free = new ArrayBlockingQueue<>(MAX_BATCHES);
    private AfterRotation afterRotation;

    // The owner's.
    private Batch filling;
    private int allocated;
    private boolean syncWanted;
    private long mark = Long.MIN_VALUE;
    private long handedMark = Long.MIN_VALUE;
    private long bytesHanded;
    private Thread writer;

    // Shared with the writer.
    private volatile IOException lastError;
    private volatile long bytesWritten;
    private volatile long writtenMark = Long.MIN_VALUE;
    private volatile long writeFailures;
    private volatile int tornBytesRepaired;
    private volatile boolean closing;
    private volatile boolean abandon;

    // The writer's (and the constructor's, before the writer starts).
    private AppendChannel channel;
    private boolean dirty;

    /**
     * A buffer on its way to the file, whether to fsync once it is written, its mark, and whether
     * the file is closed and renamed after it (rotation).
     */
    private static final class Batch {
        ByteBuffer buffer;
        boolean sync;
        long mark;
        Path rotateTo;

        Batch(ByteBuffer buffer) {
            this.buffer = buffer;
        }
    }

    /**
     * @param bufferBytes size of each batch buffer
     * @param lazy create (or open) the file with its first batch rather than now, for files that
     *     usually stay empty, like the late file
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

    /** Wraps an already opened (and checked) channel; {@code opener} opens the next file of a rotation. */
    public LineAppender(Path path, int bufferBytes, AppendChannel channel, AppendChannel.Opener opener) {
        this.path = path;
        this.opener = opener;
        this.capacity = Math.max(4096, bufferBytes);
        this.channel = channel;
    }

    /** The file appended to. */
    public Path path() {
        return path;
    }

    /** Appends {@code value} and a newline to the batch; grows it if no batch is free. */
    public void append(long value) {
        if (!room() && !handOff()) {
            grow();
        }
        put(value);
    }

    /**
     * Appends {@code value} if there is room without growing: {@code false} when the writer has
     * every other batch and this one is full (the disk is slower than the appends).
     */
    public boolean tryAppend(long value) {
        if (!room() && !handOff()) {
            return false;
        }
        put(value);
        return true;
    }

    /**
     * Hands what is buffered to the writer, without waiting. If the writer has every batch, the
     * lines stay buffered and go with the next flush.
     *
     * @param sync ask the writer to fsync once it has written this (and everything before)
     * @return {@code true} if nothing is left in this thread's buffer
     */
    public boolean flush(boolean sync) {
        return flush(sync, mark);
    }

    /**
     * As {@link #flush(boolean)}, with a mark: a number of the owner's that describes everything
     * appended so far (the server's watermark: every value below it is in this or an earlier
     * batch). {@link #writtenMark()} tells it back once that batch is in the file.
     */
    public boolean flush(boolean sync, long newMark) {
        syncWanted |= sync;
        mark = newMark;
        if (filling == null || filling.buffer.position() == 0) {
            if ((!syncWanted || bytesHanded == 0) && mark == handedMark) {
                syncWanted = false;
                return true;
            }
            if (filling == null) {
                filling = newBatch();
            }
        }
        return handOff();
    }

    /**
     * The mark of the last batch in the file ({@link Long#MIN_VALUE} before any): a reader who
     * reads this first, then the file, finds in the file everything the mark describes. Any
     * thread.
     */
    public long writtenMark() {
        return writtenMark;
    }

    /**
     * What the writer does after each rotation, on its own thread, once the new file is open (a
     * retention policy deletes old closed files, say).
     */
    @FunctionalInterface
    public interface AfterRotation {
        /** @param path the journal's path, where the new file now is */
        void rotated(Path path) throws IOException;
    }

    /** Runs {@code action} on the writer thread after each rotation. Call before the first rotation. */
    public void afterRotation(AfterRotation action) {
        this.afterRotation = action;
    }

    /**
     * Closes the file after what is appended so far, and continues in a new one at the same path:
     * the writer writes and fsyncs what precedes, renames the file to {@code closedName}, and opens
     * a new, empty file. Lines appended after this call go to the new file.
     */
    public void rotate(Path closedName) {
        if (filling == null) {
            filling = newBatch();
        }
        filling.rotateTo = closedName;
        if (!handOff()) {
            if (allocated >= MAX_BATCHES) {
                throw new IllegalStateException("rotations of " + path + " pile up: the disk takes nothing");
            }
            free.add(newBatch()); // the writer has every batch: one more, so no line crosses the cut
            handOff();
        }
    }

    /** Whether the last write failed: lines are waiting; the writer retries. */
    public boolean isFailing() {
        return lastError != null;
    }

    /**
     * Whether the owner should stop taking input: writes are failing, or the writer has every
     * other batch and this one is half full.
     */
    public boolean isBackedUp() {
        return lastError != null
                || (filling != null && filling.buffer.position() >= capacity / 2 && free.isEmpty()
                        && allocated >= BATCHES);
    }

    /** Bytes appended but not yet in the file: buffered here, queued, or being written. */
    public long unwrittenBytes() {
        return (filling == null ? 0 : filling.buffer.position()) + bytesHanded - bytesWritten;
    }

    /** Writes (and fsyncs) that failed since the start, each retried. Any thread. */
    public long writeFailures() {
        return writeFailures;
    }

    /** The error of the last failed write (or fsync), or {@code null} after a successful one. */
    public IOException lastError() {
        return lastError;
    }

    /** Bytes in the file, written by this appender. */
    public long bytesWritten() {
        return bytesWritten;
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

    /**
     * Writes everything, fsyncs it and waits for it, at most {@code timeoutMs} (a failing disk is
     * retried meanwhile). Blocks: for the end of a run, and tests.
     *
     * @return {@code true} if everything appended is in the file and synced
     */
    public boolean sync(long timeoutMs) {
        return awaitWritten(timeoutMs, true);
    }

    /**
     * Hands everything to the writer and waits, at most {@code timeoutMs}, until it is in the file
     * (and on disk, with {@code fsync}). Blocks.
     *
     * @return {@code true} if everything appended is written (and synced)
     */
    public boolean awaitWritten(long timeoutMs, boolean fsync) {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!flush(fsync)) {
            if (!pause(deadline)) {
                return false;
            }
        }
        while (bytesWritten < bytesHanded || !toWrite.isEmpty() || free.size() + 1 < allocated) {
            if (!pause(deadline)) {
                return false;
            }
        }
        return lastError == null;
    }

    /** Writes and syncs everything (retrying a failing disk for up to 5 s), then closes the file. */
    @Override
    public void close() throws IOException {
        close(5_000);
    }

    /**
     * As {@link #close()}, retrying a failing disk for at most {@code timeoutMs}.
     *
     * @throws IOException if lines could not be written, saying how many bytes
     */
    public void close(long timeoutMs) throws IOException {
        final boolean synced = sync(timeoutMs);
        final long unwritten = unwrittenBytes();
        closing = true;
        abandon = !synced;
        final Thread w = writer;
        if (w != null) {
            LockSupport.unpark(w);
            try {
                w.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (channel != null) {
            channel.close();
        }
        if (!synced) {
            throw new IOException(unwritten + " bytes could not be written to " + path, lastError);
        }
    }

    // ------------------------------------------------------------------- owner side

    private boolean room() {
        if (filling == null) {
            filling = newBatch();
        }
        return filling.buffer.remaining() >= Ascii.MAX_LINE;
    }

    private void put(long value) {
        Ascii.putLine(filling.buffer, value);
    }

    /** Queues the filling batch for the writer if a free one can take its place. */
    private boolean handOff() {
        Batch next = free.poll();
        if (next == null) {
            if (allocated >= BATCHES) {
                return false; // the writer has all the others: keep filling this one
            }
            next = newBatch();
        }
        filling.sync = syncWanted;
        filling.mark = mark;
        handedMark = mark;
        syncWanted = false;
        filling.buffer.flip();
        bytesHanded += filling.buffer.remaining();
        if (writer == null) {
            writer = new Thread(this::writeLoop, "stampede-writer-" + path.getFileName());
            writer.setDaemon(true);
            writer.start();
        }
        toWrite.add(filling);
        filling = next;
        return true;
    }

    private Batch newBatch() {
        allocated++;
        return new Batch(ByteBuffer.allocateDirect(capacity));
    }

    /** Rare path (the writer is behind): keep everything, in a larger heap buffer. */
    private void grow() {
        final ByteBuffer bigger = ByteBuffer.allocate(filling.buffer.capacity() * 2);
        filling.buffer.flip();
        bigger.put(filling.buffer);
        filling.buffer = bigger;
    }

    /** Sleeps a little before the deadline; {@code false} once it has passed. */
    private static boolean pause(long deadlineNs) {
        if (System.nanoTime() - deadlineNs >= 0) {
            return false;
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        return true;
    }

    // ------------------------------------------------------------------ writer side

    private void writeLoop() {
        try {
            while (!(closing && toWrite.isEmpty()) && !abandon) {
                final Batch b = toWrite.poll(100, TimeUnit.MILLISECONDS);
                if (b == null) {
                    continue;
                }
                write(b);
                if (b.sync) {
                    force();
                }
                if (!b.buffer.hasRemaining()) {
                    writtenMark = b.mark; // after the bytes: a reader of the mark finds them in the file
                }
                if (b.rotateTo != null) {
                    rotateFile(b.rotateTo);
                    b.rotateTo = null;
                }
                if (b.buffer.capacity() > capacity) {
                    b.buffer = ByteBuffer.allocateDirect(capacity); // a grown one: back to normal
                }
                b.buffer.clear();
                b.sync = false;
                free.add(b);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes the whole batch, retrying a failing file until it works or the owner gives up. */
    private void write(Batch b) {
        final ByteBuffer buf = b.buffer;
        while (buf.hasRemaining() && !abandon) {
            writeLock.lock();
            try {
                if (channel == null) {
                    open();
                }
                bytesWritten += channel.write(buf);
                dirty = true;
                lastError = null;
            } catch (IOException e) {
                lastError = e;
                writeFailures++; // the writer thread is the only writer of it
                keepUnwrittenLines(buf);
            } finally {
                writeLock.unlock();
            }
            if (lastError != null) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RETRY_MS));
            }
        }
    }

    /**
     * Closes the current file (synced) under its closed name and opens a new one at the path;
     * retried until it works, like a write. A crash in between leaves either the old file at the
     * path (renamed at the next rotation) or no file (a new one is made at the next start).
     */
    private void rotateFile(Path closedName) {
        boolean closed = false;
        boolean moved = false;
        while (!abandon) {
            writeLock.lock();
            try {
                if (!closed) {
                    if (channel != null) {
                        channel.force();
                        channel.close();
                        channel = null;
                        dirty = false;
                    }
                    closed = true;
                }
                if (!moved) {
                    if (Files.exists(path)) {
                        Files.move(path, uniqueName(closedName), StandardCopyOption.ATOMIC_MOVE);
                    }
                    moved = true;
                }
                open();
                if (afterRotation != null) {
                    afterRotation.rotated(path);
                }
                lastError = null;
                return;
            } catch (IOException e) {
                lastError = e;
                writeFailures++;
            } finally {
                writeLock.unlock();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(RETRY_MS));
        }
    }

    /** {@code name}, or {@code name-2}, {@code name-3}... if taken (a clock that stepped back). */
    private static Path uniqueName(Path name) {
        Path candidate = name;
        for (int i = 2; Files.exists(candidate); i++) {
            candidate = name.resolveSibling(name.getFileName() + "-" + i);
        }
        return candidate;
    }

    private void force() {
        if (!dirty) {
            return;
        }
        try {
            channel.force();
            dirty = false;
        } catch (IOException e) {
            lastError = e; // the next sync tries again; the data stays in the page cache
            writeFailures++;
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
     * After a failed write: cut a partly written line off the file, and move the buffer back to
     * that line's start, so that it is written whole by the retry.
     */
    private void keepUnwrittenLines(ByteBuffer buf) {
        if (channel == null) {
            return; // not even opened: nothing was written
        }
        int lineStart = buf.position();
        while (lineStart > 0 && buf.get(lineStart - 1) != '\n') {
            lineStart--;
        }
        final int partial = buf.position() - lineStart;
        if (partial > 0) {
            try {
                channel.truncate(channel.size() - partial);
                buf.position(lineStart);
                bytesWritten -= partial;
            } catch (IOException e) {
                // Cannot cut it: leave the rest of the line queued, the next write completes it.
            }
        }
    }

    @Override
    public String toString() {
        return "LineAppender[" + path + "]";
    }
}
