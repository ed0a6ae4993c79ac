package dev.stampede.store;

import dev.stampede.journal.DurableEnd;
import dev.stampede.journal.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * {@code --repair-late}: merges the late file's values into the closed window files they belong
 * to, on a thread of its own, once per {@value #DELAY_MS} ms (so a window is rewritten at most once
 * per that delay, whatever number of late values it gets).
 *
 * <p>It reads only the durable part of the late file, which stays the journal of late values:
 * {@code <output>.late.repaired} holds the position ({@link LateJournal.Position}: a segment or the
 * current file, and an offset) before which every value is merged
 * (written by atomic move after the rewrites it covers). A crash at any point re-reads from that
 * offset; a value merged already is dropped by {@link WindowRewrite}, so nothing is lost or merged
 * twice. Values of the window still being written wait until it is closed: that window closes
 * under a hidden name ({@link WindowClosing}), and this thread merges them into it, once they are
 * durable, before it renames it to its closed name ({@link #closing}; looked at every
 * {@value #CLOSING_POLL_MS} ms while one waits, between the full passes); at a clean
 * stop, once the writers are closed, {@link #finish} merges every pending value, those of the
 * current window into the file at the output path. Values whose window {@code --retain} deleted
 * stay in the late file and are counted ({@link #retiredValues}). With repair on, this thread
 * (not the writer) applies {@code --retain}, so a deletion never races a rewrite; with
 * {@code --compress} it also compresses the closed windows after each pass, and a late value of a
 * compressed window rewrites its {@code .gz} ({@link WindowRewrite} reads and writes that form).
 */
final class LateRepair {
    /** The bounded delay of a repair: a pass every second. */
    static final long DELAY_MS = 1_000;
    /** How often a window closing under its hidden name is looked at while it waits for its late values' fsync. */
    private static final long CLOSING_POLL_MS = 20;
    private static final long[] NONE = new long[0];
    /** Suffix of the checkpoint beside the output file. */
    static final String CHECKPOINT_SUFFIX = ".late.repaired";

    private final Path output;
    private final Path lateFile;
    private final Rotation rotation;
    private final DurableEnd lateEnd;
    private final DurableFiles.Fsync fsync;
    private final AtomicLong repaired = new AtomicLong();
    private final AtomicLong rewrites = new AtomicLong();
    private final AtomicLong retired = new AtomicLong();
    private volatile Consumer<String> log = System.err::println;
    private LateJournal.Position checkpoint;
    /** The late values in arrival order, segments then the current file, and where reading stands. */
    private final LateJournal journal;
    /** Late values read and not merged yet (their window is open), by window start. */
    private final TreeMap<Long, PendingWindow> pending = new TreeMap<>();
    private final Seam seam;
    /**
     * The output's written watermark: every window that ends at or below it is closed (renamed,
     * or it had no value); MIN_VALUE until {@link #closedBelow(LongSupplier)} says.
     */
    private LongSupplier closedBelow = () -> Long.MIN_VALUE;
    /** {@code --compress}: closed windows are compressed at the end of each pass, or {@code null}. */
    private WindowCompressor compressor;
    /**
     * Windows closing under their hidden name ({@link WindowClosing}), each {start, late lines}:
     * finished once that many late lines are durable (read). Added by the store's owner thread.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<long[]> closings =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean stopping;
    private volatile Thread thread;

    LateRepair(Path output, Path lateFile, Rotation rotation, DurableEnd lateEnd, DurableFiles.Fsync fsync)
            throws IOException {
        this(output, lateFile, rotation, lateEnd, fsync, step -> { });
    }

    /** As the other, with a seam called before each step (tests crash there). */
    LateRepair(Path output, Path lateFile, Rotation rotation, DurableEnd lateEnd, DurableFiles.Fsync fsync, Seam seam)
            throws IOException {
        this.seam = seam;
        this.output = output;
        this.lateFile = lateFile;
        this.rotation = rotation;
        this.lateEnd = lateEnd;
        this.fsync = fsync;
        final Path cp = checkpointPath(output);
        this.journal = new LateJournal(output, lateFile, Files.exists(cp)
                ? LateJournal.Position.parse(Files.readString(cp, StandardCharsets.US_ASCII))
                : new LateJournal.Position(null, null, 0));
        this.checkpoint = journal.position();
        for (Path p : Rotation.closedFiles(output)) {
            Files.deleteIfExists(WindowRewrite.tmpOf(p)); // a rewrite a crash cut short: the window is whole
        }
        Files.deleteIfExists(WindowRewrite.tmpOf(output));
    }

    /** The steps of a pass where a test may crash it (besides the fsyncs of a rewrite). */
    enum Step {
        /** Before a window's rewrite starts. */
        REWRITE,
        /** Before the checkpoint is written. */
        CHECKPOINT
    }

    /** Called before each {@link Step}: tests throw there to crash a pass. */
    @FunctionalInterface
    interface Seam {
        /** About to do {@code step}. */
        void reached(Step step) throws IOException;
    }

    /** The checkpoint file of {@code output}. */
    static Path checkpointPath(Path output) {
        return output.resolveSibling(output.getFileName() + CHECKPOINT_SUFFIX);
    }

    void log(Consumer<String> to) {
        this.log = to;
    }

    /**
     * Compresses the closed windows at the end of each pass (before --retain), on this thread, so
     * that a compression never races a rewrite. Call before {@link #start}.
     */
    void compressWith(WindowCompressor c) {
        this.compressor = c;
    }

    /**
     * Where to read the output's written watermark ({@link dev.stampede.journal.LineAppender#writtenMark}):
     * a window that ends at or below it is closed, its file renamed if it had values (the
     * rotation is in the batches before that mark). So the values of a window that got no on-time
     * value are merged (its file made) while the server runs, also when the file at the output
     * path is empty (only late values come). Call before {@link #start}.
     */
    void closedBelow(LongSupplier writtenWatermark) {
        this.closedBelow = writtenWatermark;
    }

    /**
     * The store closed the window starting at {@code start} under its hidden name: it got late
     * values while current, the last of them the {@code lateLines}-th late line. This thread
     * merges them and renames it once they are durable ({@link #wake} after the writer's rename).
     * Owner thread; once per such window.
     */
    void closing(long start, long lateLines) {
        closings.add(new long[] {start, lateLines});
    }

    /** A window was renamed (the writer's thread): look at the closings now. */
    void wake() {
        final Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Starts the repair thread. */
    void start() {
        thread = new Thread(this::run, "stampede-repair-" + output.getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        long nextFull = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DELAY_MS);
        while (!stopping) {
            final long untilFull = nextFull - System.nanoTime();
            final long wait = closings.isEmpty() ? untilFull
                    : Math.min(untilFull, TimeUnit.MILLISECONDS.toNanos(CLOSING_POLL_MS));
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            if (stopping) {
                return;
            }
            // A full pass once per DELAY_MS (a closed window is rewritten at most that often); in
            // between, only the windows closing under their hidden name.
            final boolean full = System.nanoTime() - nextFull >= 0;
            if (full) {
                nextFull = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DELAY_MS);
            }
            try {
                pass(false, full);
            } catch (IOException | RuntimeException e) {
                log.accept("repair: " + e + " (retried in " + DELAY_MS + " ms)");
            }
        }
    }

    /**
     * Stops the thread, then (the caller has closed the writers: the late file is whole and
     * synced) merges every pending value, the current window's too.
     */
    void finish() throws IOException {
        stopping = true;
        WorkerThreads.wakeAndJoin(thread);
        pass(true);
    }

    /** Late values merged into window files (since the start). Any thread. */
    long repairedValues() {
        return repaired.get();
    }

    /** Window files rewritten (since the start). Any thread. */
    long rewrites() {
        return rewrites.get();
    }

    /** Late values whose window --retain deleted: they stay in the late file only. Any thread. */
    long retiredValues() {
        return retired.get();
    }

    /**
     * One repair: reads the durable late values not read yet, merges each closed window's pending
     * values into its file (one rewrite per window), applies --retain, and moves the checkpoint up
     * to the first value still waiting for its window to close.
     *
     * @param all the writers are closed: the current window (the file at the path) is repaired too
     */
    void pass(boolean all) throws IOException {
        pass(all, true);
    }

    /** As {@link #pass(boolean)}; unless {@code full}, only the windows closing under their hidden name. */
    private void pass(boolean all, boolean full) throws IOException {
        final long durableLines = lateEnd.durableMark(); // before the bytes read: they hold those lines
        journal.read(lateEnd::durableBytes, all, reader);
        finishClosings(all, durableLines);
        if (!full) {
            return;
        }
        if (!pending.isEmpty()) {
            // The written watermark, then the path's window, then the closed files: a rotation renames
            // before the mark that passed it, and before the path's new lines.
            final long complete = closedBelow.getAsLong();
            final long pathWindow = rotation.windowOfFirstLine(output);
            final List<Path> closed = Rotation.closedFiles(output);
            final long oldest = closed.isEmpty() ? Long.MAX_VALUE : Rotation.startOf(output, closed.get(0));
            for (Iterator<Map.Entry<Long, PendingWindow>> it = pending.entrySet().iterator(); it.hasNext(); ) {
                final Map.Entry<Long, PendingWindow> e = it.next();
                final long start = e.getKey();
                final PendingWindow w = e.getValue();
                final Path plain = Rotation.closedName(output, start);
                final Path gz = Rotation.gzOf(plain);
                final Path file = !Files.exists(plain) && Files.exists(gz) ? gz : plain; // rewritten in its form
                if (isClosing(start)) {
                    continue; // its hidden file gets them before its rename (finishClosings)
                } else if (Files.exists(file)) {
                    merge(file, w);
                } else if (all && start == pathWindow) {
                    merge(output, w);
                } else if ((pathWindow != Long.MIN_VALUE && start >= pathWindow
                        || pathWindow == Long.MIN_VALUE && !all) && start + rotation.periodMs() > complete) {
                    continue; // not closed yet: waits in memory (and after the checkpoint)
                } else if (rotation.retain() > 0 && closed.size() >= rotation.retain() && start < oldest) {
                    retired.addAndGet(w.count); // deleted by --retain: kept in the late file only
                } else {
                    merge(file, w); // a window that had no on-time value: its file starts with these
                }
                it.remove();
            }
        }
        LateJournal.Position upTo = journal.position();
        for (PendingWindow w : pending.values()) {
            final LateJournal.Position first = new LateJournal.Position(w.firstSegment,
                    w.firstSegment == null ? upTo.after() : null, w.firstOffset);
            if (first.before(upTo)) {
                upTo = first;
            }
        }
        if (!upTo.equals(checkpoint)) {
            seam.reached(Step.CHECKPOINT);
            DurableFiles.writeAtomically(checkpointPath(output), upTo.text() + "\n", fsync);
            checkpoint = upTo;
        }
        if (compressor != null) {
            compressor.compressClosed(); // every closed window's pending values are merged by now
        }
        rotation.prune(output);
        final LateJournal.Position merged = checkpoint;
        LateSegments.prune(output, rotation, merged::isPast); // segments the checkpoint is past only
    }

    /**
     * Merges each window closing under its hidden name whose late values are all read (durable:
     * {@code durableLines}, or all at the stop) into its hidden file, and renames it to its closed
     * name ({@link WindowClosing#finish}); one whose writer has not renamed it yet waits.
     */
    private void finishClosings(boolean all, long durableLines) throws IOException {
        for (Iterator<long[]> it = closings.iterator(); it.hasNext(); ) {
            final long[] c = it.next();
            final Path hidden = WindowClosing.name(output, c[0]);
            if (!Files.exists(hidden)) {
                if (all) {
                    it.remove(); // a writer that gave up (a failing disk) never renamed it: merged as any window
                }
                continue; // the writer has not renamed it yet
            }
            if (!all && durableLines < c[1]) {
                continue; // its late values are not all durable yet: the next look
            }
            final PendingWindow w = pending.remove(c[0]);
            if (w != null) {
                w.sortUnique();
            }
            seam.reached(Step.REWRITE);
            final int added = WindowClosing.finish(hidden, Rotation.closedName(output, c[0]),
                    w == null ? NONE : w.values, w == null ? 0 : w.count, fsync);
            if (added < 0 && w != null) {
                pending.put(c[0], w); // a file of that window existed: they go into it as into any closed one
            } else if (added > 0) {
                repaired.addAndGet(added);
                rewrites.incrementAndGet();
            }
            it.remove();
        }
    }

    private boolean isClosing(long start) {
        for (long[] c : closings) {
            if (c[0] == start) {
                return true;
            }
        }
        return false;
    }

    /** Groups the values read by window; follows a cut of the current file into its segment name. */
    private final LateJournal.Sink reader = new LateJournal.Sink() {
        @Override
        public void value(long v, String segment, long lineStart) {
            pending.computeIfAbsent(rotation.windowStart(v), k -> new PendingWindow()).add(v, segment, lineStart);
        }

        @Override
        public void cut(String name) {
            for (PendingWindow w : pending.values()) {
                if (w.firstSegment == null && w.count > 0) {
                    w.firstSegment = name;
                }
            }
        }
    };

    private void merge(Path file, PendingWindow w) throws IOException {
        w.sortUnique();
        seam.reached(Step.REWRITE);
        final int added = WindowRewrite.merge(file, w.values, w.count, fsync);
        if (added > 0) {
            repaired.addAndGet(added);
            rewrites.incrementAndGet();
        }
    }

}
