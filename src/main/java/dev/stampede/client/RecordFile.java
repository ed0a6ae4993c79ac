package dev.stampede.client;

import dev.stampede.journal.LineAppender;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * The {@code --record} file: every timestamp sent, once, for {@code verify --expect}. Best effort
 * and bounded: the lines are written by a {@link LineAppender}'s writer thread, never on the
 * client's loop; if that file fails (a full disk) or cannot keep up, the recording stops, with a
 * message that says so and how many timestamps the file holds, and the sends go on. It never
 * costs the sends a tick, nor the process memory.
 *
 * <p>One file for all the client's loops: each loop collects its first sends in a
 * {@link RecordBatch} of its own and hands them over a batch at a time ({@link #add(long[], int,
 * boolean)}), so the lock is taken once a batch, never once a timestamp. Lines of different loops
 * interleave in the file in batches; {@code verify --expect} does not care about the order.
 *
 * <p>Thread-safe: the loops append and flush under the file's lock; the last loop to end closes it.
 */
final class RecordFile {
    private static final int BUFFER_BYTES = 256 * 1024;
    private static final long CLOSE_TIMEOUT_MS = 2_000;

    private final LineAppender file;
    private final Consumer<String> log;
    private long recorded;
    private boolean stopped;

    private RecordFile(LineAppender file, Consumer<String> log) {
        this.file = file;
        this.log = log;
    }

    /** Opens (creates, never truncates) {@code path} for appending. */
    static RecordFile open(Path path, Consumer<String> log) throws IOException {
        return new RecordFile(new LineAppender(path, BUFFER_BYTES, false), log);
    }

    /** Records a timestamp sent for the first time. */
    synchronized void add(long value) {
        if (stopped) {
            return;
        }
        if (file.tryAppend(value)) {
            recorded++;
        } else {
            stop("its disk is slower than the sends");
        }
    }

    /**
     * Records the first {@code count} of {@code values} (timestamps sent for the first time), then,
     * if {@code flush}, hands what is buffered to the writer.
     */
    synchronized void add(long[] values, int count, boolean flush) {
        for (int i = 0; i < count && !stopped; i++) {
            add(values[i]);
        }
        if (flush) {
            flush();
        }
    }

    /** Hands what is buffered to the writer; stops the recording if the file is failing. */
    synchronized void flush() {
        if (stopped) {
            return;
        }
        if (file.isFailing()) {
            stop("cannot write it: " + file.lastError().getMessage());
            return;
        }
        file.flush(false);
    }

    /** Whether the recording stopped early (the file then holds only the first values sent). */
    synchronized boolean stopped() {
        return stopped;
    }

    /** Writes what is left and closes the file; says so if that fails. */
    synchronized void close() {
        try {
            file.close(stopped ? 0 : CLOSE_TIMEOUT_MS);
        } catch (IOException e) {
            if (!stopped) {
                log.accept("client: --record " + file.path() + ": " + e.getMessage()
                        + (e.getCause() != null ? " (" + e.getCause().getMessage() + ")" : "")
                        + "; it is incomplete: 'verify --expect' will report values as missing");
            }
        }
    }

    private void stop(String why) {
        stopped = true;
        log.accept("client: recording stopped: " + file.path() + ": " + why + "; it holds at most the first "
                + recorded + " timestamps sent (the sends go on)");
    }
}
