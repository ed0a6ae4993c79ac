package dev.stampede.runtime;

import java.io.PrintStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A log whose {@link #accept} never blocks: lines go into a bounded queue, and one daemon thread,
 * {@code stampede-log}, writes them to a {@link PrintStream} (stderr). An event loop hands its
 * stats lines and warnings here, so a stderr that nobody reads (a pipe to a hung log collector)
 * costs log lines, never ingestion.
 *
 * <p>Each line is written in its {@link LogFormat}: from the time {@code accept} took it (UTC, ms)
 * and its {@link LogLevel} (read from its words, or given to {@link #log(LogLevel, String)}); the
 * formatting is the writer thread's work, not the caller's.
 *
 * <p>Threading contract:
 *
 * <ul>
 *   <li>{@link #accept} may be called by any number of threads at once; it never blocks and never
 *       throws. When the queue is full (the writer is stuck, or far behind) the line is dropped and
 *       counted in {@link #dropped}.
 *   <li>Lines are written in the order in which {@code accept} returned for them, the dropped ones
 *       left out. Once the writer has caught up (the queue is empty again), or after two
 *       queues' worth of lines, it writes one line {@code log: N lines dropped (stderr was not being
 *       read)} for the lines dropped since the last such line.
 *   <li>Only the writer thread touches the stream; nothing else in the program should write to it
 *       while this log is open.
 *   <li>{@link #close} (any thread) waits a bounded time (2 s by default) for the writer to write
 *       what is queued, then returns, drained or not: a write blocked forever holds up only the
 *       daemon writer thread, which does not keep the JVM alive. Lines accepted after {@code close}
 *       are dropped and counted.
 * </ul>
 */
public final class AsyncLog implements Consumer<String>, AutoCloseable {
    /** Lines the queue holds by default: minutes of stats lines, a few KB. */
    public static final int DEFAULT_CAPACITY = 1_024;
    /** How long {@link #close()} waits by default for the queue to drain. */
    public static final long DEFAULT_CLOSE_TIMEOUT_MS = 2_000;

    /** Wakes the writer at once on close; compared by identity. */
    private static final Entry WAKE_UP = new Entry(0, LogLevel.INFO, "");
    /**
     * Longest wait for a line before the writer looks at its state again: {@link #close} wakes it,
     * and drops are reported once the queue empties, so this is only a fallback. Rare, since each
     * idle wake-up costs about a tenth of a millisecond of CPU (code that rare is never compiled).
     */
    private static final long POLL_MS = 1_000;

    private final BlockingQueue<Entry> queue;
    private final LogFormat format;
    private final int capacity;
    private final PrintStream out;
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean closed;
    /** Lines queued so far. */
    private final AtomicLong queued = new AtomicLong();
    /** Lines written so far (guarded by this; waiters in {@link #awaitDrained} are notified). */
    private long written;

    /** Lines the writer has reported as dropped (written by the writer thread only). */
    private long reported;
    /** Lines written since the last drop report, or since drops began (writer thread only). */
    private int writtenSinceDrop;

    /** One line as taken: when, at what level, what. */
    private record Entry(long epochMs, LogLevel level, String line) {
    }

    /** A log to {@code out} with a queue of {@code capacity} lines, as {@link LogFormat#TEXT}. */
    public AsyncLog(PrintStream out, int capacity) {
        this(out, capacity, LogFormat.TEXT);
    }

    /** A log to {@code out} with a queue of {@code capacity} lines in {@code format}; its writer thread is started. */
    public AsyncLog(PrintStream out, int capacity, LogFormat format) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be positive, not " + capacity);
        }
        this.out = out;
        this.format = format;
        this.capacity = capacity;
        this.queue = new ArrayBlockingQueue<>(capacity + 1); // + 1: room for WAKE_UP
        this.writer = new Thread(this::drain, "stampede-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** A log to the process's stderr, {@link #DEFAULT_CAPACITY} lines deep, as {@link LogFormat#TEXT}. */
    public static AsyncLog toStderr() {
        return toStderr(LogFormat.TEXT);
    }

    /** A log to the process's stderr, {@link #DEFAULT_CAPACITY} lines deep, in {@code format}. */
    public static AsyncLog toStderr(LogFormat format) {
        return new AsyncLog(System.err, DEFAULT_CAPACITY, format);
    }

    /**
     * Queues {@code line} for writing at the level its words say ({@link LogLevel#of}); never
     * blocks: drops it (and counts it) if the queue is full.
     */
    @Override
    public void accept(String line) {
        log(null, line);
    }

    /** As {@link #accept}, at {@code level} ({@code null}: the level {@code line}'s words say). */
    public void log(LogLevel level, String line) {
        // The last free slot is kept for close()'s wake-up (best effort under contention).
        if (!closed && queue.remainingCapacity() > 1
                && queue.offer(new Entry(System.currentTimeMillis(), level, line))) {
            queued.incrementAndGet();
        } else {
            dropped.incrementAndGet();
        }
    }

    /** Lines dropped so far because the queue was full (or the log closed). */
    public long dropped() {
        return dropped.get();
    }

    /**
     * Says {@code line} on {@code log} as an error: at {@link LogLevel#ERROR} if {@code log} is an
     * {@link AsyncLog}, as a plain line otherwise.
     */
    public static void error(Consumer<String> log, String line) {
        if (log instanceof AsyncLog a) {
            a.log(LogLevel.ERROR, line);
        } else {
            log.accept(line);
        }
    }

    /**
     * Waits up to {@code timeoutMs} until every line accepted so far is written (or dropped).
     *
     * @return true if they are all written
     */
    public boolean awaitDrained(long timeoutMs) throws InterruptedException {
        final long target = queued.get();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        synchronized (this) {
            while (written < target) {
                final long left = deadline - System.nanoTime();
                if (left <= 0 || !writer.isAlive()) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }

    /** Closes with the default bound of {@value #DEFAULT_CLOSE_TIMEOUT_MS} ms. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_TIMEOUT_MS);
    }

    /**
     * Stops taking lines and waits up to {@code timeoutMs} for the writer to write the queued ones
     * and end. Returns in about that time at most, even if the stream blocks forever; an interrupt
     * while waiting is kept for the caller.
     *
     * @return true if everything queued was written
     */
    public boolean close(long timeoutMs) {
        closed = true;
        queue.offer(WAKE_UP); // the one slot kept free for it, unless already taken
        try {
            writer.join(Math.max(1, timeoutMs));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !writer.isAlive();
    }

    /** The writer thread: take, write, report drops; until closed and drained. */
    private void drain() {
        try {
            while (true) {
                final Entry e = queue.poll(POLL_MS, TimeUnit.MILLISECONDS);
                if (e == null || e == WAKE_UP) {
                    if (closed && queue.isEmpty()) {
                        reportDrops();
                        return;
                    }
                    reportDrops();
                    continue;
                }
                out.println(format.format(e.epochMs, e.level != null ? e.level : LogLevel.of(e.line), e.line));
                if (dropped.get() > reported && ++writtenSinceDrop >= 2 * capacity) {
                    reportDrops(); // a writer that never catches up still says so, now and then
                }
                if (queue.isEmpty()) {
                    reportDrops(); // caught up
                    out.flush();
                }
                synchronized (this) {
                    written++;
                    notifyAll();
                }
            }
        } catch (InterruptedException e) {
            // Nobody interrupts this thread; if someone does, stop writing.
        } finally {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    private void reportDrops() {
        final long now = dropped.get();
        if (now > reported) {
            out.println(format.format(System.currentTimeMillis(), LogLevel.WARN,
                    "log: " + (now - reported) + " lines dropped (stderr was not being read)"));
            out.flush();
            reported = now;
            writtenSinceDrop = 0;
        }
    }
}
