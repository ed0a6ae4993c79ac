package dev.stampede.journal;

import dev.stampede.format.Ascii;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Appends decimal lines to a file without ever making its caller wait for the disk: the caller
 * (an event loop) formats lines into a batch buffer, and {@link #flush} hands the batch to a
 * writer thread of this appender's own, which writes it (one {@code write} per batch, never one
 * per line) and fsyncs it when asked. A line costs a few stores into memory.
 *
 * <h2>Batches and back-pressure</h2>
 * {@value #BATCHES} buffers circulate, never more (a rotation is a marker in a batch, not a batch):
 * one being filled, the others queued or being written. When
 * the writer has all of them (a slow disk, a long fsync), a flush keeps filling the current one,
 * so that the next write carries more (group commit); {@link #isBackedUp()} tells the owner to
 * stop taking input once that batch is half full, and the buffer grows rather than drop a line.
 * {@link #tryAppend} never grows: for a best-effort file (a client's record) that must never cost
 * memory.
 *
 * <h2>Failures</h2>
 * Crash-safe by construction (see {@link JournalWriter}): the file is never truncated except to
 * cut an unfinished last line. A failed write keeps its batch, and the writer retries it;
 * meanwhile {@link #isFailing()} says so and {@link #isBackedUp()} soon does.
 *
 * <h2>Threading</h2>
 * {@code append}, {@code tryAppend}, {@code flush}, {@code close} and the loop-side figures belong
 * to one owner thread; the writer thread ({@link JournalWriter}, started by the first hand-off) owns the file;
 * {@link #isFailing()}, {@link #lastError()}, {@link #bytesWritten()} and {@link #runBetweenWrites}
 * are safe from any thread. Hand-offs go through two bounded queues, a few per second: no lock per
 * line.
 */
public final class LineAppender implements AutoCloseable {
    /** Buffers in circulation: one filling, the rest queued for or in the writer. */
    static final int BATCHES = 3;

    private final Path path;
    private final int capacity;
    private final JournalWriter writer;

    // The owner's.
    private Batch filling;
    private int allocated;
    private boolean syncWanted;
    private long mark = Long.MIN_VALUE;
    private long handedMark = Long.MIN_VALUE;
    private long bytesHanded;

    /**
     * What the writer does after each rotation, on its own thread, once the new file is open (a
     * retention policy deletes old closed files, say).
     */
    @FunctionalInterface
    public interface AfterRotation {
        /** @param path the journal's path, where the new file now is */
        void rotated(Path path) throws IOException;
    }

    /**
     * @param bufferBytes size of each batch buffer
     * @param lazy create (or open) the file with its first batch rather than now, for files that
     *     usually stay empty, like the late file
     */
    public LineAppender(Path path, int bufferBytes, boolean lazy, AppendChannel.Opener opener) throws IOException {
        this(path, bufferBytes, null, opener);
        if (!lazy) {
            writer.openNow();
        }
    }

    /** An appender on a real file. */
    public LineAppender(Path path, int bufferBytes, boolean lazy) throws IOException {
        this(path, bufferBytes, lazy, AppendChannel.FILES);
    }

    /**
     * Wraps an already opened (and checked) channel; {@code opener} opens the next file of a
     * rotation.
     *
     * @throws IOException if what the file holds cannot be fsynced (see {@link #durableEnd()})
     */
    public LineAppender(Path path, int bufferBytes, AppendChannel channel, AppendChannel.Opener opener)
            throws IOException {
        this.path = path;
        this.capacity = Math.max(4096, bufferBytes);
        this.writer = new JournalWriter(path, opener, capacity, BATCHES, channel);
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
        if (filling == null || filling.isEmpty()) {
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
        return writer.writtenMark();
    }

    /**
     * How much of the file is durable: fsynced (what the file held when opened is fsynced once
     * then), or, after {@code writtenIsDurable(true)}, written. Any thread.
     */
    public DurableEnd durableEnd() {
        return writer;
    }

    /**
     * Whether written lines count as durable at once: for an owner that never asks for an fsync
     * while running ({@code --fsync never}), so that {@link #durableEnd()} follows the writes.
     */
    public void writtenIsDurable(boolean yes) {
        writer.writtenIsDurable(yes);
    }

    /** Runs {@code action} on the writer thread after each rotation. Call before the first rotation. */
    public void afterRotation(AfterRotation action) {
        writer.afterRotation(action);
    }

    /**
     * Closes the file after what is appended so far, and continues in a new one at the same path:
     * the writer writes and fsyncs what precedes, renames the file to {@code closedName}, and opens
     * a new, empty file. Lines appended after this call go to the new file. The rotation is a
     * marker in the current batch: it takes no batch of its own, however slow the writer.
     */
    public void rotate(Path closedName) {
        if (filling == null) {
            filling = newBatch();
        }
        filling.cut(closedName);
        handOff(); // if the writer has every batch, the marker goes with the next hand-off
    }

    /** Whether the last write failed: lines are waiting; the writer retries. */
    public boolean isFailing() {
        return writer.lastError() != null;
    }

    /**
     * Whether the owner should stop taking input: writes are failing, or the writer has every
     * other batch and this one is half full.
     */
    public boolean isBackedUp() {
        return writer.lastError() != null
                || (filling != null && filling.buffer.position() >= capacity / 2 && writer.noneFree()
                        && allocated >= BATCHES);
    }

    /** Bytes appended but not yet in the file: buffered here, queued, or being written. */
    public long unwrittenBytes() {
        return (filling == null ? 0 : filling.buffer.position()) + bytesHanded - writer.bytesWritten();
    }

    /** Writes (and fsyncs) that failed since the start, each retried. Any thread. */
    public long writeFailures() {
        return writer.writeFailures();
    }

    /** The error of the last failed write (or fsync), or {@code null} after a successful one. */
    public IOException lastError() {
        return writer.lastError();
    }

    /** Bytes in the file, written by this appender. */
    public long bytesWritten() {
        return writer.bytesWritten();
    }

    /** Bytes of an unfinished last line cut off when the file was opened. */
    public int tornBytesRepaired() {
        return writer.tornBytesRepaired();
    }

    /**
     * Runs {@code action} (typically a halt) when no write is in progress, so it cannot leave a
     * torn line; waits at most {@code timeoutMs} for a write to finish. Any thread.
     */
    public void runBetweenWrites(Runnable action, long timeoutMs) {
        writer.runBetweenWrites(action, timeoutMs);
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
        while (writer.bytesWritten() < bytesHanded || !writer.idle(allocated - 1)) {
            if (!pause(deadline)) {
                return false;
            }
        }
        return writer.lastError() == null;
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
        writer.stop(!synced);
        writer.closeFile();
        if (!synced) {
            throw new IOException(unwritten + " bytes could not be written to " + path, writer.lastError());
        }
    }

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
        Batch next = writer.takeFree();
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
        writer.submit(filling);
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

    /** Batch buffers allocated so far (tests: the ring stays fixed). */
    int batchesAllocated() {
        return allocated;
    }

    @Override
    public String toString() {
        return "LineAppender[" + path + "]";
    }
}
