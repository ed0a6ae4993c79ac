package dev.stampede.client;

import dev.stampede.agent.LoopThread;
import dev.stampede.stats.ClientStats;
import java.io.IOException;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/**
 * The stampede client: {@code n} connections to a server, each sending the time on a fixed,
 * drift-free schedule, all run by one {@link ClientLoop} on its own thread (never a thread per
 * connection).
 *
 * <p>{@link #start} returns at once; the loop connects, then sends until {@code --duration} ends
 * or {@link #stop()} is called, then closes its connections and flushes the record file.
 * Thread-safe: any thread may stop it or read its stats.
 */
public final class LoadClient implements AutoCloseable {

    private final ClientLoop loop;
    private final LoopThread thread;

    private LoadClient(ClientLoop loop) {
        this.loop = loop;
        this.thread = new LoopThread(loop, "stampede-client-loop");
    }

    /**
     * Opens the record file and the histogram log (if any) and starts the event loop.
     *
     * @param log receives the client's one-line messages (status lines, warnings, server replies)
     * @throws IOException if the record file or the histogram log cannot be opened (the message
     *     names the option and the file), or no selector can be made
     */
    public static LoadClient start(ClientConfig config, Consumer<String> log) throws IOException {
        final long startMs = System.currentTimeMillis();
        RecordFile record = null;
        HistogramLog hlog = null;
        Selector selector = null;
        try {
            if (config.record() != null) {
                try {
                    record = RecordFile.open(config.record(), log);
                } catch (IOException e) {
                    throw new IOException("--record " + config.record() + ": " + e, e);
                }
            }
            if (config.histogramLog() != null) {
                try {
                    hlog = HistogramLog.open(config.histogramLog(), log, startMs,
                            LatenessRecorder.highestUs(config), LatenessRecorder.SIGNIFICANT_DIGITS);
                } catch (IOException e) {
                    throw new IOException("--histogram-log " + config.histogramLog() + ": cannot write it: " + e, e);
                }
            }
            selector = Selector.open();
            final LoadClient client = new LoadClient(new ClientLoop(config, selector, record, hlog, log, true));
            client.thread.start();
            return client;
        } catch (IOException | RuntimeException e) {
            if (selector != null) {
                selector.close();
            }
            if (record != null) {
                record.close();
            }
            if (hlog != null) {
                hlog.close();
            }
            throw e;
        }
    }

    /** Counters as of at most 100 ms ago (exact once stopped). */
    public ClientStats stats() {
        return loop.stats();
    }

    /** Whether the loop is still running (it ends by itself when {@code --duration} is over). */
    public boolean isRunning() {
        return thread.isRunning();
    }

    /** Whether the loop ended on an unexpected error. */
    public boolean failed() {
        return loop.failed();
    }

    /**
     * Stops, and waits until the connections are closed and the record file flushed.
     *
     * @return the final counters
     */
    public ClientStats stop() {
        thread.stop(loop::requestStop);
        return loop.stats();
    }

    /** Waits until the loop ends by itself or {@code timeoutMs} passes; true if it ended. */
    public boolean awaitTermination(long timeoutMs) throws InterruptedException {
        return thread.awaitTermination(timeoutMs);
    }

    @Override
    public void close() {
        stop();
    }
}
