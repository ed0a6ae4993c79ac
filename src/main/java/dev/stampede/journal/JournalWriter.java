package dev.stampede.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The writer thread of a {@link LineAppender}: owns the file, takes the batches the owner hands
 * over, writes each with one {@code write} (retried every {@value #RETRY_MS} ms while it fails),
 * fsyncs when a batch asks, closes and renames the file at a rotation, and gives the batches back.
 *
 * <p>Crash-safe by construction: the file is opened for append only and never truncated, except to
 * cut an unfinished last line (a torn write of an earlier run, repaired on open, or the part of a
 * line a failing write left behind, cut at once so that the line is written whole later).
 *
 * <p>Threading: the thread (daemon, started by {@link #submit} the first time) owns the channel;
 * the figures are volatile and safe from any thread; the owner talks to it through two bounded
 * queues only.
 */
final class JournalWriter implements DurableEnd {
    private static final long RETRY_MS = 250;

    private final Path path;
    private final AppendChannel.Opener opener;
    private final int capacity;
    private final ReentrantLock writeLock = new ReentrantLock();
    /**
     * Longest wait for a batch before the thread looks at its state again. Only {@link #stop} needs
     * it to look, and stop wakes it: so rarely, since each idle wake-up costs the process about a
     * tenth of a millisecond of CPU (the code that rare is never compiled), which at 10 a second was
     * a tenth of the server's whole CPU at --read-batch 400ms.
     */
    private static final long IDLE_WAIT_MS = 1_000;
    /** Wakes the thread on {@link #stop}; compared by identity, never written. */
    private static final Batch WAKE_UP = new Batch(ByteBuffer.allocate(0));

    private final ArrayBlockingQueue<Batch> toWrite;
    private final ArrayBlockingQueue<Batch> free;
    private Thread thread;
    private volatile LineAppender.AfterRotation afterRotation;

    private volatile IOException lastError;
    private volatile long bytesWritten;
    private volatile long writtenMark = Long.MIN_VALUE;
    private volatile long writeFailures;
    private volatile int tornBytesRepaired;
    private volatile boolean closing;
    /** Durable end: bytes written first, then the mark (a reader reads them the other way round). */
    private volatile long durableBytes;
    private volatile long durableMark = Long.MIN_VALUE;
    private volatile boolean writtenIsDurable;
    private volatile boolean abandon;

    // The thread's (and the constructor's, before the thread starts).
    private AppendChannel channel;
    private boolean dirty;
    /** The current file's size as this thread made it. */
    private long fileEnd;

    /**
     * @param capacity the normal size of a batch buffer (a grown one is replaced by one of this size)
     * @param maxBatches most batches in circulation: the queues' bound
     */
    JournalWriter(Path path, AppendChannel.Opener opener, int capacity, int maxBatches, AppendChannel channel)
            throws IOException {
        this.path = path;
        this.opener = opener;
        this.capacity = capacity;
        this.toWrite = new ArrayBlockingQueue<>(maxBatches);
        this.free = new ArrayBlockingQueue<>(maxBatches);
        if (channel != null) {
            adopt(channel);
        }
    }

    /** Opens the file now (on the caller's thread, before the writer starts). */
    void openNow() throws IOException {
        open();
    }

    void writtenIsDurable(boolean yes) {
        this.writtenIsDurable = yes;
    }

    @Override
    public long durableMark() {
        return durableMark;
    }

    @Override
    public long durableBytes() {
        return durableBytes;
    }

    void afterRotation(LineAppender.AfterRotation action) {
        this.afterRotation = action;
    }

    // ----------------------------------------------------------------- the owner's calls

    /** Queues a batch for writing; starts the thread with the first. */
    void submit(Batch b) {
        if (thread == null) {
            thread = new Thread(this::writeLoop, "stampede-writer-" + path.getFileName());
            thread.setDaemon(true);
            thread.start();
        }
        toWrite.add(b);
    }

    /** A written batch, back for filling, or {@code null} if the writer has them all. */
    Batch takeFree() {
        return free.poll();
    }

    boolean noneFree() {
        return free.isEmpty();
    }

    /** Whether every batch handed over (of {@code handedOver} in circulation besides the filling one) is back. */
    boolean idle(int handedOver) {
        return toWrite.isEmpty() && free.size() >= handedOver;
    }

    /** Tells the thread to finish what is queued (or, if {@code abandon}, to drop it) and waits a little. */
    void stop(boolean abandonQueued) {
        closing = true;
        abandon = abandonQueued;
        final Thread w = thread;
        if (w != null) {
            toWrite.offer(WAKE_UP); // ends its wait at once (a full queue keeps it busy anyway)
            LockSupport.unpark(w); // and a retry's pause
            try {
                w.join(1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Closes the file (after {@link #stop}). */
    void closeFile() throws IOException {
        if (channel != null) {
            channel.close();
        }
    }

    // ------------------------------------------------------------------------ figures

    IOException lastError() {
        return lastError;
    }

    long bytesWritten() {
        return bytesWritten;
    }

    long writtenMark() {
        return writtenMark;
    }


    long writeFailures() {
        return writeFailures;
    }

    int tornBytesRepaired() {
        return tornBytesRepaired;
    }

    /** See {@link LineAppender#runBetweenWrites}. */
    void runBetweenWrites(Runnable action, long timeoutMs) {
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

    // ---------------------------------------------------------------------- the thread

    private void writeLoop() {
        try {
            while (!(closing && toWrite.isEmpty()) && !abandon) {
                final Batch b = toWrite.poll(IDLE_WAIT_MS, TimeUnit.MILLISECONDS);
                if (b == null || b == WAKE_UP) {
                    continue;
                }
                writeWithRotations(b);
                if (b.buffer.capacity() > capacity) {
                    b.buffer = ByteBuffer.allocateDirect(capacity); // a grown one: back to normal
                }
                b.reset();
                free.add(b);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writes the batch, closing and renaming the file at each of its cuts, fsyncs it if asked,
     * and reports its mark once all of it is in the file.
     */
    private void writeWithRotations(Batch b) {
        final ByteBuffer buf = b.buffer;
        final int end = buf.limit();
        for (int i = 0; i < b.cuts && !abandon; i++) {
            buf.limit(b.cutAt[i]);
            write(buf);
            rotateFile(b.cutTo[i]);
        }
        buf.limit(end);
        write(buf);
        if (!buf.hasRemaining()) {
            writtenMark = b.mark; // after the bytes: a reader of the mark finds them in the file
        }
        if (b.sync || !dirty) {
            force(); // without a byte written since the last fsync, only says the mark is durable
        } else if (writtenIsDurable) {
            durable();
        }
    }

    /** What is written is now durable: the bytes first, then the mark. */
    private void durable() {
        durableBytes = fileEnd;
        durableMark = writtenMark;
    }

    /** Writes the buffer up to its limit, retrying a failing file until it works or the owner gives up. */
    private void write(ByteBuffer buf) {
        while (buf.hasRemaining() && !abandon) {
            writeLock.lock();
            try {
                if (channel == null) {
                    open();
                }
                final int n = channel.write(buf);
                bytesWritten += n;
                fileEnd += n;
                dirty = true;
                lastError = null;
            } catch (IOException e) {
                lastError = e;
                writeFailures++; // this thread is the only writer of it
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
                        opener.atomicMove(path, uniqueName(closedName)); // fsynced file, then directory
                    }
                    moved = true;
                }
                open();
                final LineAppender.AfterRotation after = afterRotation;
                if (after != null) {
                    after.rotated(path);
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
            durable(); // nothing unsynced
            return;
        }
        try {
            channel.force();
            dirty = false;
            durable();
        } catch (IOException e) {
            lastError = e; // the next sync tries again; the data stays in the page cache
            writeFailures++;
        }
    }

    private void open() throws IOException {
        final AppendChannel ch = opener.open(path);
        try {
            tornBytesRepaired = TornLine.repair(ch, path);
            adopt(ch);
        } catch (IOException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Takes an opened (and repaired) file. What it already holds counts as durable once fsynced
     * here (an earlier run's last writes may still be only in the page cache).
     */
    private void adopt(AppendChannel ch) throws IOException {
        channel = ch;
        fileEnd = ch.size();
        dirty = false;
        if (fileEnd > 0 && !writtenIsDurable) {
            ch.force();
        }
        durableBytes = fileEnd;
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
                fileEnd -= partial;
            } catch (IOException e) {
                // Cannot cut it: leave the rest of the line queued, the next write completes it.
            }
        }
    }
}
