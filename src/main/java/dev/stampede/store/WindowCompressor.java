package dev.stampede.store;

import dev.stampede.journal.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * {@code --compress gzip}: turns each closed window {@code <output>.<start>} into
 * {@code <output>.<start>.gz} (java.util.zip). A compression writes {@code <name>.gz.tmp}, fsyncs
 * it, renames it to {@code <name>.gz} and fsyncs the directory ({@link DurableFiles#atomicMove}),
 * then deletes the plain file. A crash at any step leaves the plain file whole, or the
 * {@code .gz} whole (or both, the {@code .gz} whole: {@link Rotation#closedFiles} lists it alone);
 * {@link #recover} on the next start deletes a {@code .gz.tmp} (undone) and a plain file beside its
 * {@code .gz} (finished).
 *
 * <p>Runs on a thread of its own ({@link #start}, woken after each rotation: never the writer
 * thread, which would stall the output for the seconds a large window takes), or, with
 * {@code --repair-late}, inside the repair's passes ({@link #compressClosed}), so that a window is
 * never compressed while it is being rewritten. Whoever compresses also applies {@code --retain}
 * (to the windows and the late segments, {@link LateSegments#prune}), so a deletion never races a
 * compression.
 */
final class WindowCompressor {
    private static final int IO_BUFFER = 1 << 16;

    /** The steps of a compression where a test may crash it (besides its fsyncs). */
    enum Step {
        /** The {@code .gz.tmp} is written, not yet fsynced or renamed. */
        WRITTEN,
        /** The {@code .gz} is in place; the plain file is not deleted yet. */
        RENAMED
    }

    /** Called at each {@link Step}: tests throw there to crash a compression. */
    @FunctionalInterface
    interface Seam {
        /** Reached {@code step} for {@code plain}. */
        void reached(Step step, Path plain) throws IOException;
    }

    private final Path output;
    private final Rotation rotation;
    private final DurableFiles.Fsync fsync;
    private final Seam seam;
    private volatile Consumer<String> log = System.err::println;
    private volatile boolean stopping;
    private volatile boolean wanted;
    private long compressed;
    private Thread thread;

    WindowCompressor(Path output, Rotation rotation, DurableFiles.Fsync fsync, Seam seam) {
        this.output = output;
        this.rotation = rotation;
        this.fsync = fsync;
        this.seam = seam;
    }

    WindowCompressor(Path output, Rotation rotation, DurableFiles.Fsync fsync) {
        this(output, rotation, fsync, (step, plain) -> { });
    }

    /** The temporary file a compression of {@code plain} writes first. */
    static Path tmpOf(Path plain) {
        return plain.resolveSibling(plain.getFileName() + Rotation.GZ + ".tmp");
    }

    /**
     * Settles what a crash left of compressions of {@code output}'s windows: a {@code .gz.tmp} is
     * deleted (the plain file is whole), a plain file whose {@code .gz} exists is deleted (the
     * {@code .gz} was fsynced before its rename: the compression only had its last step to do).
     *
     * @return how many files it deleted
     */
    static int recover(Path output) throws IOException {
        final Path dir = output.toAbsolutePath().getParent();
        final String prefix = output.getFileName().toString() + ".";
        int deleted = 0;
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                final String name = p.getFileName().toString();
                if (name.startsWith(prefix) && (name.endsWith(Rotation.GZ + ".tmp")
                        || name.endsWith(Rotation.GZ + ".resume.tmp"))) {
                    Files.deleteIfExists(p);
                    deleted++;
                }
            }
        }
        for (Path p : Rotation.closedFiles(output)) {
            if (Rotation.isCompressed(p) && Files.deleteIfExists(p.resolveSibling(Rotation.windowName(p)))) {
                deleted++;
            }
        }
        return deleted;
    }

    /**
     * {@code gz} decompressed into a temporary file beside it (the caller deletes it): for the
     * restart that resumes after the newest closed window, read as a plain file is.
     */
    static Path unzipBeside(Path gz) throws IOException {
        final Path plain = gz.resolveSibling(gz.getFileName() + ".resume.tmp");
        try (InputStream in = new java.util.zip.GZIPInputStream(Files.newInputStream(gz), IO_BUFFER)) {
            Files.copy(in, plain, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return plain;
    }

    void log(Consumer<String> to) {
        this.log = to;
    }

    /** Windows compressed since the start. */
    long compressed() {
        return compressed;
    }

    /** Starts the thread that compresses after each {@link #wake}. */
    void start() {
        thread = new Thread(this::run, "stampede-compress-" + output.getFileName());
        thread.setDaemon(true);
        thread.start();
    }

    /** A rotation closed a window (any thread): compress it soon. */
    void wake() {
        wanted = true;
        LockSupport.unpark(thread);
    }

    private void run() {
        while (!stopping) {
            if (!wanted) {
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                continue;
            }
            wanted = false;
            try {
                compressClosed();
                prune();
            } catch (IOException | RuntimeException e) {
                wanted = true;
                log.accept("compress: " + e + " (retried in 1 s)");
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
            }
        }
    }

    /**
     * Stops the thread after the compression under way, then (the writer is closed: no more
     * rotations) compresses every closed window left and applies {@code --retain}.
     */
    void finish() throws IOException {
        stopping = true;
        WorkerThreads.wakeAndJoin(thread);
        compressClosed();
        prune();
    }

    /** {@code --retain}: the windows beyond it, then the late segments it made useless (none is being read: no repair). */
    private void prune() throws IOException {
        rotation.prune(output);
        LateSegments.prune(output, rotation, name -> true);
    }

    /** Compresses every plain closed window, oldest first; returns how many. */
    int compressClosed() throws IOException {
        int n = 0;
        for (Path p : Rotation.closedFiles(output)) {
            if (!Rotation.isCompressed(p) && Files.exists(p)) {
                compress(p);
                n++;
            }
        }
        return n;
    }

    /** Compresses one closed window; see the class comment for the steps. */
    void compress(Path plain) throws IOException {
        final Path tmp = tmpOf(plain);
        try (InputStream in = Files.newInputStream(plain);
                OutputStream out = new FastGzip(Files.newOutputStream(tmp))) {
            in.transferTo(out);
        }
        seam.reached(Step.WRITTEN, plain);
        DurableFiles.atomicMove(tmp, Rotation.gzOf(plain), fsync);
        seam.reached(Step.RENAMED, plain);
        Files.delete(plain);
        compressed++;
    }

    /** A gzip stream at the level compressions use (also for a rewrite of a {@code .gz} window). */
    static OutputStream gzip(OutputStream out) throws IOException {
        return new FastGzip(out);
    }

    /**
     * gzip at level 1: timestamps compress well at any level; the fastest keeps the CPU cost small
     * (a 1-hour window: 8.9 MB at level 1 for 0.3 s of CPU, 8.3 MB at level 6 for 0.9 s).
     */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, IO_BUFFER);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}
