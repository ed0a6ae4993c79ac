package dev.stampede.store;

import dev.stampede.engine.OrderedSink;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The server's files: final values go to the output file in order, late values to
 * {@code <output>.late} in arrival order (created only when the first late value comes).
 *
 * <p>Buffered: nothing reaches the files until {@link #flush()}, which the event loop calls on a
 * short interval. Not thread-safe: owned by the event loop.
 */
public final class OutputStore implements OrderedSink, AutoCloseable {
    /** Suffix of the late file, next to the output file. */
    public static final String LATE_SUFFIX = ".late";

    private static final int OUTPUT_BUFFER_BYTES = 256 * 1024;
    private static final int LATE_BUFFER_BYTES = 16 * 1024;

    private final LineAppender output;
    private final LineAppender late;

    /** Opens (creates if needed) the output file for appending; the late file waits. */
    public OutputStore(Path outputFile) throws IOException {
        this.output = new LineAppender(outputFile, OUTPUT_BUFFER_BYTES, false);
        this.late = new LineAppender(latePath(outputFile), LATE_BUFFER_BYTES, true);
    }

    /** The late file that goes with {@code outputFile}. */
    public static Path latePath(Path outputFile) {
        return outputFile.resolveSibling(outputFile.getFileName() + LATE_SUFFIX);
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

    /** Writes both buffers; {@code false} if either write failed (nothing is dropped). */
    public boolean flush() {
        final boolean out = output.flush();
        final boolean lt = late.flush();
        return out && lt;
    }

    /** Flushes and fsyncs both files. */
    public boolean sync() {
        final boolean out = output.sync();
        final boolean lt = late.sync();
        return out && lt;
    }

    /** Whether a failing write has left more buffered than normal: stop taking input. */
    public boolean isBackedUp() {
        return output.isBackedUp() || late.isBackedUp();
    }

    /** The most recent write error of either file, or {@code null}. */
    public IOException lastError() {
        return output.lastError() != null ? output.lastError() : late.lastError();
    }

    /** The output file's appender. */
    public LineAppender output() {
        return output;
    }

    /** The late file's appender. */
    public LineAppender late() {
        return late;
    }

    @Override
    public void close() throws IOException {
        try {
            output.close();
        } finally {
            late.close();
        }
    }
}
