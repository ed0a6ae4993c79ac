package dev.stampede.store;

import dev.stampede.format.Ascii;
import dev.stampede.journal.DurableEnd;
import dev.stampede.journal.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * {@code --repair-late}: merges the late file's values into the closed window files they belong
 * to, on a thread of its own, once per {@value #DELAY_MS} ms (so a window is rewritten at most once
 * per that delay, whatever number of late values it gets).
 *
 * <p>It reads only the durable part of the late file, which stays the journal of late values:
 * {@code <output>.late.repaired} holds the late-file offset below which every value is merged
 * (written by atomic move after the rewrites it covers). A crash at any point re-reads from that
 * offset; a value merged already is dropped by {@link WindowRewrite}, so nothing is lost or merged
 * twice. Values of the window still being written wait until it is closed (renamed); at a clean
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
    /** Suffix of the checkpoint beside the output file. */
    static final String CHECKPOINT_SUFFIX = ".late.repaired";

    private final Path output;
    private final Path lateFile;
    private final Rotation rotation;
    private final DurableEnd lateEnd;
    private final DurableFiles.Fsync fsync;
    /** What the late file held when opened (an earlier run's, on disk): the writer knows only its own. */
    private final long sizeAtOpen;
    private final AtomicLong repaired = new AtomicLong();
    private final AtomicLong rewrites = new AtomicLong();
    private final AtomicLong retired = new AtomicLong();
    private volatile Consumer<String> log = System.err::println;
    private long checkpoint;
    /** Where the late file's next unread line starts. */
    private long readTo;
    /** Late values read and not merged yet (their window is open), by window start. */
    private final TreeMap<Long, Window> pending = new TreeMap<>();
    private final Seam seam;
    /** {@code --compress}: closed windows are compressed at the end of each pass, or {@code null}. */
    private WindowCompressor compressor;
    private volatile boolean stopping;
    private Thread thread;

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
        this.sizeAtOpen = Files.exists(lateFile) ? Files.size(lateFile) : 0;
        this.checkpoint = readCheckpoint(checkpointPath(output), sizeAtOpen);
        this.readTo = checkpoint;
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

    /** Starts the repair thread. */
    void start() {
        thread = new Thread(this::run, "stampede-repair-" + output.getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        while (!stopping) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(DELAY_MS));
            if (stopping) {
                return;
            }
            try {
                pass(false);
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
        if (thread != null) {
            LockSupport.unpark(thread);
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
        final long end = all ? Files.exists(lateFile) ? Files.size(lateFile) : 0
                : Math.max(sizeAtOpen, lateEnd.durableBytes());
        if (end > readTo) {
            readTo = readLate(readTo, end);
        }
        if (!pending.isEmpty()) {
            // The path's window first, then the closed files: a rotation renames before the path's new lines.
            final long pathWindow = pathWindow();
            final List<Path> closed = Rotation.closedFiles(output);
            final long oldest = closed.isEmpty() ? Long.MAX_VALUE : startOf(closed.get(0));
            for (Iterator<Map.Entry<Long, Window>> it = pending.entrySet().iterator(); it.hasNext(); ) {
                final Map.Entry<Long, Window> e = it.next();
                final long start = e.getKey();
                final Window w = e.getValue();
                final Path plain = Rotation.closedName(output, start);
                final Path gz = Rotation.gzOf(plain);
                final Path file = !Files.exists(plain) && Files.exists(gz) ? gz : plain; // rewritten in its form
                if (Files.exists(file)) {
                    merge(file, w);
                } else if (all && start == pathWindow) {
                    merge(output, w);
                } else if (pathWindow != Long.MIN_VALUE && start >= pathWindow
                        || pathWindow == Long.MIN_VALUE && !all) {
                    continue; // not closed yet: waits in memory (and after the checkpoint)
                } else if (rotation.retain() > 0 && closed.size() >= rotation.retain() && start < oldest) {
                    retired.addAndGet(w.count); // deleted by --retain: kept in the late file only
                } else {
                    merge(file, w); // a window that had no on-time value: its file starts with these
                }
                it.remove();
            }
        }
        long upTo = readTo;
        for (Window w : pending.values()) {
            upTo = Math.min(upTo, w.firstOffset);
        }
        if (upTo > checkpoint) {
            seam.reached(Step.CHECKPOINT);
            DurableFiles.writeAtomically(checkpointPath(output), upTo + "\n", fsync);
            checkpoint = upTo;
        }
        if (compressor != null) {
            compressor.compressClosed(); // every closed window's pending values are merged by now
        }
        rotation.prune(output);
    }

    private void merge(Path file, Window w) throws IOException {
        w.sortUnique();
        seam.reached(Step.REWRITE);
        final int added = WindowRewrite.merge(file, w.values, w.count, fsync);
        if (added > 0) {
            repaired.addAndGet(added);
            rewrites.incrementAndGet();
        }
    }

    /** The window of the file at the output path (its first line), or MIN_VALUE if it holds none. */
    private long pathWindow() throws IOException {
        if (!Files.exists(output)) {
            return Long.MIN_VALUE;
        }
        try (FileChannel ch = FileChannel.open(output, StandardOpenOption.READ)) {
            final ByteBuffer b = ByteBuffer.allocate(Ascii.MAX_LINE);
            ch.read(b, 0);
            long acc = 0;
            for (int i = 0; i < b.position(); i++) {
                final byte c = b.get(i);
                if (c == '\n') {
                    return i == 0 ? Long.MIN_VALUE : rotation.windowStart(acc);
                }
                acc = acc * 10 + Ascii.digit(c);
            }
            return Long.MIN_VALUE;
        } catch (java.nio.file.NoSuchFileException e) {
            return Long.MIN_VALUE; // between a rotation's rename and the new file
        }
    }

    /** The start of a closed file's window, from its name. */
    private long startOf(Path closedFile) {
        final String name = closedFile.getFileName().toString();
        final String stamp = name.substring(output.getFileName().toString().length() + 1, 
                output.getFileName().toString().length() + 16);
        return java.time.LocalDateTime.parse(stamp, java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"))
                .toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
    }

    /**
     * Adds the complete lines of the late file in {@code [from, to)} to {@link #pending}; returns
     * where the first line not read starts (an unfinished last line is read again later).
     */
    private long readLate(long from, long to) throws IOException {
        final TreeMap<Long, Window> windows = pending;
        long lineStart = from;
        try (FileChannel ch = FileChannel.open(lateFile, StandardOpenOption.READ)) {
            final ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
            long pos = from;
            long acc = 0;
            int digits = 0;
            while (pos < to) {
                buf.clear().limit((int) Math.min(buf.capacity(), to - pos));
                final int n = ch.read(buf, pos);
                if (n <= 0) {
                    break;
                }
                for (int i = 0; i < n; i++) {
                    final byte c = buf.get(i);
                    if (c == '\n') {
                        final long v = Ascii.valueOf(acc, digits);
                        if (v >= 0) {
                            windows.computeIfAbsent(rotation.windowStart(v), k -> new Window()).add(v, lineStart);
                        }
                        acc = 0;
                        digits = 0;
                        lineStart = pos + i + 1;
                    } else {
                        final int d = Ascii.digit(c);
                        if (d >= 0 && Ascii.hasRoom(digits)) {
                            acc = Ascii.accumulate(acc, d);
                            digits++;
                        }
                    }
                }
                pos += n;
            }
        }
        return lineStart;
    }

    private static long readCheckpoint(Path file, long lateSize) throws IOException {
        if (!Files.exists(file)) {
            return 0;
        }
        try {
            final long at = Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
            return at >= 0 && at <= lateSize ? at : 0; // a late file replaced since: start over (merging is idempotent)
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** One window's pending late values and where the first of them is in the late file. */
    private static final class Window {
        long[] values = new long[16];
        int count;
        long firstOffset = Long.MAX_VALUE;

        void add(long v, long offset) {
            if (count == values.length) {
                values = Arrays.copyOf(values, count * 2);
            }
            values[count++] = v;
            firstOffset = Math.min(firstOffset, offset);
        }

        void sortUnique() {
            Arrays.sort(values, 0, count);
            int n = 0;
            for (int i = 0; i < count; i++) {
                if (n == 0 || values[i] != values[n - 1]) {
                    values[n++] = values[i];
                }
            }
            count = n;
        }
    }
}
