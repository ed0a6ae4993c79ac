package dev.stampede.client;

import dev.stampede.runtime.AgentRunner;
import dev.stampede.runtime.ErrorPolicy;
import dev.stampede.runtime.IdleStrategy;
import dev.stampede.stats.ClientStats;
import java.io.IOException;
import java.nio.channels.Selector;
import java.util.function.Consumer;

/**
 * The stampede client: {@code n} connections to a server, each sending the time on a fixed,
 * drift-free schedule, run by {@code --loops} {@link ClientLoop}s, each on its own thread and with
 * its own selector (never a thread per connection). Loop {@code j} of {@code L} owns connections
 * {@code j, j + L, j + 2L, ...}; they share one {@link ClientLoops}: one start, one status line, one
 * summary, one record file, one histogram log.
 *
 * <p>{@link #start} returns at once; the loops connect, then send until {@code --duration} ends
 * or {@link #stop()} is called, then close their connections; the last one flushes and closes the
 * record file and the histogram log. Thread-safe: any thread may stop it or read its stats.
 */
public final class LoadClient implements AutoCloseable {
    /**
     * Sends a second one loop takes when the number of loops is left to the client
     * ({@link #autoLoops}). A loop makes about 150,000 a second on one core of the 2-core machine
     * we measure on (a loopback {@code write} runs the receiver's TCP path in the sender's time),
     * so at this rate it is busy a third of the time. That margin is what it needs: the first
     * second of sends on new connections costs about 1.5x (probably the receiver's quick
     * acknowledgements, which on loopback run in the sender's write), and a loop that falls behind never catches up,
     * because sends that no longer share a wake-up also wake the server for each one. One loop at
     * 100,000 sends a second (5,000 connections x 20/s) missed ticks in 24 of 24 runs beside a
     * server on the same 2 cores (up to 23 % of them); two loops missed none in 35 of 41, at about
     * the same CPU (docs/PERFORMANCE.md, "The client: two loops at 100,000 sends a second").
     */
    public static final long SENDS_PER_LOOP_PER_S = 50_000;

    private final ClientLoop[] loops;
    private final AgentRunner[] runners;
    private final ClientLoops group;

    private LoadClient(ClientLoop[] loops, ClientLoops group, Consumer<String> log) {
        this.loops = loops;
        this.group = group;
        this.runners = new AgentRunner[loops.length];
        // A loop that fails says so and ends; failed() tells the caller (exit code 1).
        final ErrorPolicy errors = ErrorPolicy.logging(log);
        for (int i = 0; i < loops.length; i++) {
            // No idle strategy: a loop waits in its selector, or parks until its next send.
            runners[i] = new AgentRunner(loops[i], IdleStrategy.NONE, errors,
                    loops.length == 1 ? "stampede-client-loop" : "stampede-client-loop-" + i);
        }
    }

    /** {@link #start(ClientConfig, int, Consumer)} with {@link #autoLoops} loops for this machine. */
    public static LoadClient start(ClientConfig config, Consumer<String> log) throws IOException {
        return start(config, autoLoops(config, Runtime.getRuntime().availableProcessors()), log);
    }

    /**
     * The loops for {@code config} when the user leaves it to the client ({@code --loops auto}):
     * one per {@value #SENDS_PER_LOOP_PER_S} sends a second, at least one, at most one per core
     * and one per connection. 50 connections x 20/s: one; 5,000 x 20/s on 2 cores: two.
     */
    public static int autoLoops(ClientConfig config, int cores) {
        final long sendsPerS = config.connections() * 1_000L / config.intervalMs();
        final long wanted = (sendsPerS + SENDS_PER_LOOP_PER_S - 1) / SENDS_PER_LOOP_PER_S;
        return (int) Math.max(1, Math.min(wanted, Math.min(Math.max(1, cores), config.connections())));
    }

    /**
     * Opens the record file and the histogram log (if any) and starts the event loops.
     *
     * @param loops how many event loops (threads) share the connections: 1 to the number of connections
     * @param log receives the client's one-line messages (status lines, warnings, server replies)
     * @throws IOException if the record file or the histogram log cannot be opened (the message
     *     names the option and the file), or no selector can be made
     * @throws IllegalArgumentException if {@code loops} is out of range (the message names --loops)
     */
    public static LoadClient start(ClientConfig config, int loops, Consumer<String> log) throws IOException {
        checkLoops(loops, config.connections());
        final long startMs = System.currentTimeMillis();
        final long startNs = System.nanoTime();
        final long highestUs = Math.max(1_000, LatenessRecorder.highestUs(config));
        RecordFile record = null;
        HistogramLog hlog = null;
        final Selector[] selectors = new Selector[loops];
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
                    hlog = HistogramLog.open(config.histogramLog(), log, startMs, highestUs,
                            LatenessRecorder.SIGNIFICANT_DIGITS);
                } catch (IOException e) {
                    throw new IOException("--histogram-log " + config.histogramLog() + ": cannot write it: " + e, e);
                }
            }
            final long windowMs = config.statsIntervalMs() > 0 ? config.statsIntervalMs() : 1_000;
            final ClientLoops group = new ClientLoops(loops, config.connections(), startNs, startMs, windowMs * 1_000_000L,
                    config.statsIntervalMs() > 0, highestUs, record, hlog, log);
            final ClientLoop[] all = new ClientLoop[loops];
            for (int i = 0; i < loops; i++) {
                selectors[i] = Selector.open();
                // One warm-up, on loop 0: the code is shared, and the schedule waits for every loop.
                all[i] = new ClientLoop(config, i, group, selectors[i], log, i == 0);
            }
            final LoadClient client = new LoadClient(all, group, log);
            for (AgentRunner r : client.runners) {
                r.start();
            }
            return client;
        } catch (IOException | RuntimeException e) {
            for (Selector s : selectors) {
                if (s != null) {
                    s.close();
                }
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

    /** Refuses a number of loops outside 1 to the number of connections, naming the option. */
    public static void checkLoops(int loops, int connections) {
        if (loops < 1 || loops > connections) {
            throw new IllegalArgumentException("--loops must be 1 to the number of connections (" + connections
                    + "), not " + loops);
        }
    }

    /**
     * The whole client's counters (every loop's, summed) as of at most 100 ms ago, with the
     * lateness of the last stats interval and since the start merged over the loops (exact once stopped).
     */
    public ClientStats stats() {
        final ClientStats[] parts = new ClientStats[loops.length];
        for (int i = 0; i < loops.length; i++) {
            parts[i] = loops[i].stats();
        }
        return group.published(parts);
    }

    /** Whether a loop is still running (they end by themselves when {@code --duration} is over). */
    public boolean isRunning() {
        for (AgentRunner r : runners) {
            if (r.isRunning()) {
                return true;
            }
        }
        return false;
    }

    /** Whether a loop ended on an unexpected error. */
    public boolean failed() {
        for (AgentRunner r : runners) {
            if (r.failed()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Stops every loop, and waits until the connections are closed and the record file and the
     * histogram log flushed.
     *
     * @return the final counters
     */
    public ClientStats stop() {
        for (AgentRunner r : runners) {
            r.requestStop(); // all at once: they close their connections in parallel
        }
        for (AgentRunner r : runners) {
            r.stop();
        }
        return stats();
    }

    /** Waits until every loop ends by itself or {@code timeoutMs} passes; true if they all ended. */
    public boolean awaitTermination(long timeoutMs) throws InterruptedException {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        for (AgentRunner r : runners) {
            final long leftMs = (deadline - System.nanoTime()) / 1_000_000L;
            if (!r.awaitTermination(Math.max(1, leftMs))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() {
        stop();
    }
}
