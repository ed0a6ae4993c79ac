package dev.stampede.store;

import dev.stampede.engine.OrderedSink;
import dev.stampede.engine.Resumable;
import dev.stampede.format.OutputFiles;
import dev.stampede.journal.AppendChannel;
import dev.stampede.journal.DurableFiles;
import dev.stampede.journal.FileFormatException;
import dev.stampede.journal.LineAppender;
import dev.stampede.journal.ResumePoint;
import dev.stampede.journal.ResumeScan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The server's files: final values go to the output file in order, late values to
 * {@code <output>.late} in arrival order (created only when the first late value comes).
 *
 * <p>Opening an existing output file resumes it ({@link ResumeScan}): a torn last line is cut, the
 * format is checked, and {@link #resumePoint()} tells where the file leaves off. Buffered: nothing
 * reaches the files until {@link #flush}, which the event loop calls on a short interval; the
 * writes and fsyncs themselves run on each file's writer thread ({@link LineAppender}), never on
 * the loop. Owned by the event loop's thread, except {@link #runBetweenWrites} and the
 * failure figures.
 *
 * <p>With a {@link Rotation}: the output is cut into event-time windows ({@link WindowCuts}), the
 * late file into segments ({@link LateCuts}); with {@code --repair-late} a window that got late
 * values while current closes under a hidden name until they are merged ({@link WindowClosing}).
 */
public final class OutputStore implements OrderedSink, AutoCloseable {
    private static final int OUTPUT_BUFFER_BYTES = 256 * 1024;
    private static final int LATE_BUFFER_BYTES = 16 * 1024;

    private final LineAppender output;
    private final LineAppender late;
    private final ResumePoint resumePoint;
    private final Rotation rotation;
    private final boolean existed;
    /** With a rotation: the output's windows and their closes; else {@code null}. */
    private final WindowCuts windows;
    /** Late lines appended since the store opened (owner thread); see {@link #lateLines()}. */
    private long lateLines;
    /** {@code --repair-late}, or {@code null}. */
    private final LateRepair repair;
    /** {@code --compress gzip}, or {@code null}. */
    private final WindowCompressor compressor;
    /** With a rotation: when the late file is cut into segments; else {@code null}. */
    private final LateCuts lateCuts;

    private OutputStore(LineAppender output, LineAppender late, ResumePoint resumePoint, Rotation rotation,
            boolean existed, LateRepair repair, WindowCompressor compressor, LateCuts lateCuts) {
        this.existed = existed;
        this.output = output;
        this.late = late;
        this.resumePoint = resumePoint;
        this.rotation = rotation;
        this.repair = repair;
        this.compressor = compressor;
        this.lateCuts = lateCuts;
        if (rotation != null) {
            if (repair != null) {
                // Its thread compresses and prunes: never during a rewrite, never a segment it has not read.
                repair.compressWith(compressor);
                output.afterRotation(path -> repair.wake()); // a window closing under its hidden name waits for it
            } else if (compressor != null) {
                output.afterRotation(path -> compressor.wake()); // its thread compresses, then prunes
            } else {
                output.afterRotation(path -> {
                    rotation.prune(path);
                    LateSegments.prune(path, rotation, name -> true);
                });
            }
            // The file at the path holds the window of its first value.
            windows = new WindowCuts(output, rotation, repair,
                    resumePoint.sizeBytes() > 0 ? resumePoint.firstValue() : -1);
        } else {
            windows = null;
        }
    }

    /**
     * Opens (creates if needed) the output file for appending, resuming where it leaves off.
     *
     * @param historyMs how far back from its last value the file's tail is read (duplicate filter)
     * @throws FileFormatException if the file exists and is not stampede output
     */
    public static OutputStore open(Path outputFile, boolean keepDuplicates, long historyMs, AppendChannel.Opener opener)
            throws IOException {
        return open(outputFile, keepDuplicates, historyMs, opener, null);
    }

    /**
     * As {@link #open(Path, boolean, long, AppendChannel.Opener)}, cutting the file by event time
     * ({@code rotation}, or {@code null} for one file). A file at the path that holds an older
     * window is closed at the first flush; when the path holds no values (a crash right after a
     * rotation), the resume point is the end of the newest closed file's window: a value of a
     * closed window that comes after the restart (a replay) is late, never a second file.
     */
    public static OutputStore open(Path outputFile, boolean keepDuplicates, long historyMs, AppendChannel.Opener opener,
            Rotation rotation) throws IOException {
        final boolean existed = java.nio.file.Files.exists(outputFile);
        if (rotation != null) {
            WindowClosing.recover(outputFile); // a window a crash left under its hidden name: renamed
            WindowCompressor.recover(outputFile); // a compression a crash cut short: finished or undone
        }
        final AppendChannel channel = opener.open(outputFile);
        try {
            ResumePoint resume = ResumeScan.scan(channel, outputFile, keepDuplicates, historyMs);
            if (rotation != null && !resume.hasData()) {
                resume = RotationResume.afterNewestClosed(outputFile, keepDuplicates, historyMs, resume, rotation);
            }
            final LineAppender output = new LineAppender(outputFile, OUTPUT_BUFFER_BYTES, channel, opener);
            // An earlier run's late lines under --rotate: opened now, so that a torn last line is cut before a cut renames it.
            final boolean lateUncut = rotation != null && nonEmpty(latePath(outputFile));
            final LineAppender late = new LineAppender(latePath(outputFile), LATE_BUFFER_BYTES, !lateUncut, opener);
            final LateRepair repair = rotation != null && rotation.repairLate()
                    ? new LateRepair(outputFile, latePath(outputFile), rotation, late.durableEnd(), DurableFiles.REAL)
                    : null;
            if (repair != null) {
                repair.closedBelow(output::writtenMark); // a window below the written watermark is closed
            }
            final WindowCompressor compressor = rotation != null && rotation.compress()
                    ? new WindowCompressor(outputFile, rotation, DurableFiles.REAL) : null;
            final LateCuts cuts = rotation != null ? new LateCuts(outputFile, rotation, late, lateUncut) : null;
            final OutputStore store = new OutputStore(output, late, resume, rotation, existed, repair, compressor, cuts);
            if (repair != null) {
                repair.start();
            } else if (compressor != null) {
                compressor.start();
            }
            return store;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Whether this output was written before, so clients may come back to replay what a crash
     * lost (the server's startup grace): its resume point holds data, at the path or, with a
     * rotation, in the newest closed file (a crash between a rotation's rename and the new file
     * leaves no file at the path), or its file existed, if empty (a crash before its first write).
     */
    public boolean restarted() {
        return resumePoint.hasData() || existed;
    }

    /** The late file that goes with {@code outputFile}. */
    public static Path latePath(Path outputFile) {
        return OutputFiles.latePath(outputFile);
    }

    /** Where the file left off when it was opened. */
    public ResumePoint resumePoint() {
        return resumePoint;
    }

    @Override
    public void onFinal(long value, int copies) {
        if (windows != null) {
            windows.beforeFinal(value, lateLines);
        }
        for (int i = 0; i < copies; i++) {
            output.append(value);
        }
    }

    private static boolean nonEmpty(Path file) {
        try {
            return java.nio.file.Files.size(file) > 0;
        } catch (IOException e) {
            return false; // none yet
        }
    }

    @Override
    public void onLate(long value) {
        late.append(value);
        lateLines++;
        if (windows != null) {
            windows.late(value); // one of the window being written: merged before its rename (--repair-late)
            lateCuts.appended(value);
        }
    }

    /**
     * Late lines appended since the store opened: the late file's mark, so that its writer's
     * {@link LineAppender#durableEnd()} says how many of them are durable. Owner thread.
     */
    public long lateLines() {
        return lateLines;
    }

    /**
     * Hands both files' buffered lines to their writer threads, without waiting, telling the
     * output's writer that every final value below {@code watermark} has been appended
     * ({@link LineAppender#writtenMark()} says when that is in the file: what a publisher reading
     * the file needs to know). A window of a rotation that the watermark has passed is closed
     * first, and the late file is cut into a segment once the watermark has left the window it
     * was in when the file got its first line since the last cut ({@link LateCuts}).
     *
     * @param sync ask for an fsync once they are written
     */
    public void flush(boolean sync, long watermark) {
        boolean syncLate = sync;
        if (windows != null) {
            windows.flushing(watermark, lateLines);
            lateCuts.flushing(watermark); // the late file is cut by the watermark too, whether a window closes or not
            syncLate |= windows.takeLateSync(); // a window closing under its hidden name waits for its late values
        }
        output.flush(sync, watermark);
        late.flush(syncLate, lateLines);
    }

    /**
     * Writes and fsyncs everything appended so far, waiting at most {@code timeoutMs}: for a
     * caller that must know its lines are on disk before it records where its input stands.
     *
     * @return {@code true} if both files are written and synced
     */
    public boolean sync(long timeoutMs) {
        return awaitWritten(timeoutMs, true);
    }

    /**
     * Writes everything appended so far, and fsyncs it if asked, waiting at most
     * {@code timeoutMs}.
     *
     * @return {@code true} if both files are written (and synced)
     */
    public boolean awaitWritten(long timeoutMs, boolean fsync) {
        final boolean out = output.awaitWritten(timeoutMs, fsync);
        return late.awaitWritten(timeoutMs, fsync) && out;
    }

    /**
     * Continues an engine after what the output file holds: the watermark starts above its last
     * value, and its tail seeds the duplicate filter. Says what it found on {@code log}.
     *
     * @param who the program, for the log lines ("server", "merge")
     */
    public void resume(Resumable engine, String who, Consumer<String> log) {
        resume(new Resumable[] {engine}, who, log);
    }

    /** As {@link #resume(Resumable, String, Consumer)}, for several streams that write this file together. */
    public void resume(Resumable[] streams, String who, Consumer<String> log) {
        final ResumePoint at = resumePoint;
        final Path file = output.path();
        if (repair != null) {
            repair.log(log);
        }
        if (compressor != null) {
            compressor.log(log);
        }
        if (at.tornBytes() > 0) {
            log.accept(who + ": " + file + " ended with an unfinished line (a crash during a write): cut "
                    + at.tornBytes() + " bytes back to the last complete line");
        }
        if (!at.hasData()) {
            return;
        }
        // Above the newest late values too: one run's late value is never the next run's written one.
        final long after = Math.max(at.lastValue(), newestLate(who, log));
        if (after > at.lastValue()) {
            log.accept(who + ": " + latePath(file) + " holds values above the file's last (" + at.lastValue()
                    + ", the end of a run that crashed): resuming after " + after + ", so they stay late only");
        }
        for (Resumable engine : streams) {
            engine.resumeAfter(after);
            for (long v : at.recent()) {
                engine.markReleased(v);
            }
        }
        log.accept(who + ": resuming " + file + " (" + at.sizeBytes() + " bytes) after " + at.lastValue()
                + "; its last " + at.recent().length + " values seed the duplicate filter");
        final long aheadMs = at.lastValue() - System.currentTimeMillis();
        if (aheadMs > 1_000) {
            log.accept(who + ": warning: " + file + " ends " + aheadMs + " ms ahead of this machine's clock; "
                    + "values below its end are late until the clock gets there (is the clock right?)");
        }
    }

    /** The largest of the late file's newest values (its newest segments' too), or -1 (none, or unreadable: said in the log). */
    private long newestLate(String who, Consumer<String> log) {
        final Path latePath = late.path();
        try {
            return LateTail.maxOfTails(LateSegments.newestFirst(output.path(), rotation != null),
                    System.currentTimeMillis());
        } catch (IOException e) {
            log.accept(who + ": could not read the tail of " + latePath + ": " + e.getMessage());
            return -1;
        }
    }

    /** Whether either file's writes are failing (full disk, I/O error): the writers retry. */
    public boolean isFailing() {
        return output.isFailing() || late.isFailing();
    }

    /** Whether the owner should stop taking input until the writers catch up (or recover). */
    public boolean isBackedUp() {
        return output.isBackedUp() || late.isBackedUp();
    }

    /** Failed writes and fsyncs of both files since the start (each was retried). Any thread. */
    public long writeFailures() {
        return output.writeFailures() + late.writeFailures();
    }

    /** The most recent write error of either file, or {@code null}. */
    public IOException lastError() {
        return output.lastError() != null ? output.lastError() : late.lastError();
    }

    /** Bytes appended but not yet in the files. */
    public long unwrittenBytes() {
        return output.unwrittenBytes() + late.unwrittenBytes();
    }

    /**
     * Tells both files' writers that written lines count as durable: for {@link FsyncPolicy#NEVER},
     * which never fsyncs while running, so that what their {@link LineAppender#durableEnd()} say
     * (what a publisher may publish) follows the writes.
     */
    public void durability(FsyncPolicy fsync) {
        output.writtenIsDurable(fsync == FsyncPolicy.NEVER);
        late.writtenIsDurable(fsync == FsyncPolicy.NEVER);
    }

    /** The output file's appender. */
    public LineAppender output() {
        return output;
    }

    /** The late file's appender. */
    public LineAppender late() {
        return late;
    }

    /** Runs {@code action} while neither file is being written (see {@link LineAppender#runBetweenWrites}). */
    public void runBetweenWrites(Runnable action, long timeoutMs) {
        output.runBetweenWrites(() -> late.runBetweenWrites(action, timeoutMs), timeoutMs);
    }

    /** Writes, syncs and closes both files, retrying a failing disk for up to 5 s. */
    @Override
    public void close() throws IOException {
        close(5_000);
    }

    /**
     * Writes, syncs and closes both files, retrying a failing disk for at most {@code timeoutMs}.
     *
     * @throws IOException if lines could not be written, saying how many bytes
     */
    public void close(long timeoutMs) throws IOException {
        try {
            output.close(timeoutMs);
        } finally {
            late.close(timeoutMs);
        }
        if (repair != null) {
            repair.finish(); // the files are closed and synced: every pending late value goes into its window
        } else if (compressor != null) {
            compressor.finish(); // the last closed windows too: a stopped server leaves them all compressed
        }
    }

    /** With {@code --repair-late}: late values merged into window files since the start, else 0. Any thread. */
    public long repairedValues() {
        return repair == null ? 0 : repair.repairedValues();
    }

    /** With {@code --repair-late}: window files rewritten since the start, else 0. Any thread. */
    public long repairRewrites() {
        return repair == null ? 0 : repair.rewrites();
    }

    /** With {@code --repair-late}: late values whose window --retain had deleted (kept in the late file only). */
    public long repairRetired() {
        return repair == null ? 0 : repair.retiredValues();
    }
}
