package dev.stampede.store;

import dev.stampede.engine.OrderedSink;
import dev.stampede.engine.OrderingEngine;
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
 */
public final class OutputStore implements OrderedSink, AutoCloseable {
    /** Suffix of the late file, next to the output file. */
    public static final String LATE_SUFFIX = ".late";

    private static final int OUTPUT_BUFFER_BYTES = 256 * 1024;
    private static final int LATE_BUFFER_BYTES = 16 * 1024;

    private final LineAppender output;
    private final LineAppender late;
    private final ResumePoint resumePoint;

    private OutputStore(LineAppender output, LineAppender late, ResumePoint resumePoint) {
        this.output = output;
        this.late = late;
        this.resumePoint = resumePoint;
    }

    /**
     * Opens (creates if needed) the output file for appending, resuming where it leaves off.
     *
     * @param historyMs how far back from its last value the file's tail is read (duplicate filter)
     * @throws FileFormatException if the file exists and is not stampede output
     */
    public static OutputStore open(Path outputFile, boolean keepDuplicates, long historyMs, AppendChannel.Opener opener)
            throws IOException {
        final AppendChannel channel = opener.open(outputFile);
        try {
            final ResumePoint resume = ResumeScan.scan(channel, outputFile, keepDuplicates, historyMs);
            final LineAppender output = new LineAppender(outputFile, OUTPUT_BUFFER_BYTES, channel);
            final LineAppender late = new LineAppender(latePath(outputFile), LATE_BUFFER_BYTES, true, opener);
            return new OutputStore(output, late, resume);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The late file that goes with {@code outputFile}. */
    public static Path latePath(Path outputFile) {
        return outputFile.resolveSibling(outputFile.getFileName() + LATE_SUFFIX);
    }

    /** Where the file left off when it was opened. */
    public ResumePoint resumePoint() {
        return resumePoint;
    }

    @Override
    public void onFinal(long value, int copies) {
        for (int i = 0; i < copies; i++) {
            output.append(value);
        }
    }

    @Override
    public void onLate(long value) {
        late.append(value);
    }

    /**
     * Hands both files' buffered lines to their writer threads, without waiting.
     *
     * @param sync ask for an fsync once they are written
     */
    public void flush(boolean sync) {
        output.flush(sync);
        late.flush(sync);
    }

    /**
     * As {@link #flush(boolean)}, telling the output's writer that every final value below
     * {@code watermark} has been appended ({@link LineAppender#writtenMark()} says when that is in
     * the file: what a publisher reading the file needs to know).
     */
    public void flush(boolean sync, long watermark) {
        output.flush(sync, watermark);
        late.flush(sync);
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
    public void resume(OrderingEngine engine, String who, Consumer<String> log) {
        final ResumePoint at = resumePoint;
        final Path file = output.path();
        if (at.tornBytes() > 0) {
            log.accept(who + ": " + file + " ended with an unfinished line (a crash during a write): cut "
                    + at.tornBytes() + " bytes back to the last complete line");
        }
        if (!at.hasData()) {
            return;
        }
        engine.resumeAfter(at.lastValue());
        for (long v : at.recent()) {
            engine.markReleased(v);
        }
        log.accept(who + ": resuming " + file + " (" + at.sizeBytes() + " bytes) after " + at.lastValue()
                + "; its last " + at.recent().length + " values seed the duplicate filter");
        final long aheadMs = at.lastValue() - System.currentTimeMillis();
        if (aheadMs > 1_000) {
            log.accept(who + ": warning: " + file + " ends " + aheadMs + " ms ahead of this machine's clock; "
                    + "values below its end are late until the clock gets there (is the clock right?)");
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
    }
}
