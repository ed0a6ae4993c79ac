package dev.stampede.client;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;

/**
 * The {@code --histogram-log} file: the send lateness of every stats interval as an HdrHistogram
 * interval log ({@code .hlog}, written by {@link HistogramLogWriter}, read by HdrHistogram's
 * {@code HistogramLogReader}, {@code HistogramLogProcessor} and HistogramLogAnalyzer), in
 * microseconds.
 *
 * <p>The loop thread never touches the file: {@link #offer} copies the interval into one of a few
 * preallocated histograms and hands it to a daemon writer thread through a bounded queue; it never
 * blocks, never allocates. If the writer falls {@value #POOL} intervals behind (a stalled disk) or
 * a write fails, the log stops with one message, and the sends go on; the file then holds the
 * first intervals only.
 *
 * <p>{@link #offer}, {@link #close} are called by the client's event loop; {@link #open} by the
 * thread that starts the client.
 */
final class HistogramLog {
    /** Intervals the writer may be behind before the log stops. */
    static final int POOL = 8;
    /** How long {@link #close} waits for the writer. */
    private static final long CLOSE_TIMEOUT_MS = 2_000;
    /** The Interval_Max column in milliseconds (the values are microseconds). */
    private static final double MAX_VALUE_UNIT_RATIO = 1_000.0;
    private static final Histogram END = new Histogram(1_000, 2);

    private final Path path;
    private final Consumer<String> log;
    private final ErrorKeepingStream stream;
    private final PrintStream out;
    private final HistogramLogWriter writer;
    private final BlockingQueue<Histogram> free = new ArrayBlockingQueue<>(POOL);
    private final BlockingQueue<Histogram> filled = new ArrayBlockingQueue<>(POOL + 1);
    private final Thread thread;
    private volatile IOException error;
    private long offered;
    private boolean stopped;
    private boolean closed;

    private HistogramLog(Path path, OutputStream file, Consumer<String> log, long highestUs, int digits) {
        this.path = path;
        this.log = log;
        this.stream = new ErrorKeepingStream(new BufferedOutputStream(file, 16 * 1024));
        this.out = new PrintStream(stream, false, StandardCharsets.US_ASCII);
        this.writer = new HistogramLogWriter(out);
        for (int i = 0; i < POOL; i++) {
            free.add(new Histogram(highestUs, digits));
        }
        this.thread = new Thread(this::writeLoop, "stampede-hlog-writer");
        thread.setDaemon(true);
    }

    /**
     * Creates (truncates) {@code path}, writes the log's header and starts the writer thread.
     *
     * @param startMs the client's start, epoch ms: the log's start and base time
     * @param highestUs the lateness histograms' range
     * @param digits the lateness histograms' precision (significant digits)
     * @throws IOException if the file cannot be created or its header written
     */
    static HistogramLog open(Path path, Consumer<String> log, long startMs, long highestUs, int digits)
            throws IOException {
        return open(path, Files.newOutputStream(path), log, startMs, highestUs, digits);
    }

    /** {@link #open(Path, Consumer, long, long, int)} onto {@code file}, named {@code path} (tests: a failing stream). */
    static HistogramLog open(Path path, OutputStream file, Consumer<String> log, long startMs, long highestUs,
            int digits) throws IOException {
        final HistogramLog h = new HistogramLog(path, file, log, highestUs, digits);
        h.writer.outputLogFormatVersion();
        h.writer.outputComment("stampede client: send lateness (send time minus due time), values in microseconds"
                + " (Interval_Max in milliseconds); one interval per stats interval");
        h.writer.outputStartTime(startMs);
        h.writer.outputBaseTime(startMs);
        h.writer.setBaseTime(startMs);
        h.writer.outputLegend();
        h.out.flush();
        if (h.error != null || h.stream.error != null) {
            h.out.close();
            throw h.stream.error != null ? h.stream.error : new IOException("cannot write " + path);
        }
        h.thread.start();
        return h;
    }

    /**
     * Hands one interval to the writer: {@code window}'s counts, from {@code startMs} to
     * {@code endMs} (epoch ms). Never blocks; stops the log if the writer is too far behind or failed.
     */
    void offer(Histogram window, long startMs, long endMs) {
        if (stopped) {
            return;
        }
        if (error != null) {
            stop("cannot write it: " + error.getMessage());
            return;
        }
        final Histogram h = free.poll();
        if (h == null) {
            stop("its disk is " + POOL + " intervals behind");
            return;
        }
        h.reset();
        window.copyInto(h);
        h.setStartTimeStamp(startMs);
        h.setEndTimeStamp(Math.max(startMs, endMs));
        filled.add(h); // room: at most POOL histograms exist, and one slot is kept for END
        offered++;
    }

    /** Writes what is queued and closes the file, waiting at most 2 s; says so if that fails. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        filled.offer(END);
        try {
            thread.join(stopped ? 100 : CLOSE_TIMEOUT_MS); // join(0) would wait forever
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            if (!stopped) {
                log.accept("client: --histogram-log " + path + ": still writing after " + CLOSE_TIMEOUT_MS
                        + " ms; it may lack its last intervals");
            }
            return; // the daemon writer closes the file when (if) it gets there
        }
        if (!stopped && error != null) {
            stop("cannot write it: " + error.getMessage());
        }
    }

    /** Whether the log stopped early. */
    boolean stopped() {
        return stopped;
    }

    private void stop(String why) {
        stopped = true;
        log.accept("client: histogram log stopped: " + path + ": " + why + "; it holds at most the first " + offered
                + " intervals (the sends go on)");
    }

    private void writeLoop() {
        try {
            while (true) {
                final Histogram h = filled.poll(1, TimeUnit.DAYS);
                if (h == null) {
                    continue;
                }
                if (h == END) {
                    break;
                }
                if (error == null) {
                    writer.outputIntervalHistogram(h.getStartTimeStamp() / 1000.0 - writer.getBaseTime() / 1000.0,
                            h.getEndTimeStamp() / 1000.0 - writer.getBaseTime() / 1000.0, h, MAX_VALUE_UNIT_RATIO);
                    out.flush();
                    if (stream.error != null) {
                        error = stream.error;
                    }
                }
                free.add(h);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            out.close();
            if (error == null && stream.error != null) {
                error = stream.error;
            }
        }
    }

    /** Keeps the first write error, which {@link PrintStream} would swallow. */
    private static final class ErrorKeepingStream extends FilterOutputStream {
        volatile IOException error;

        ErrorKeepingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                keep(e);
                throw e;
            }
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                keep(e);
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                keep(e);
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } catch (IOException e) {
                keep(e);
                throw e;
            }
        }

        private void keep(IOException e) {
            if (error == null) {
                error = e;
            }
        }
    }
}
