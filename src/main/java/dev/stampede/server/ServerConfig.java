package dev.stampede.server;

import dev.stampede.engine.EngineConfig;
import dev.stampede.store.FsyncPolicy;
import dev.stampede.store.Rotation;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * Everything the server needs to run, validated. Times are in milliseconds.
 *
 * @param bind address and port to listen on (port 0: any free port)
 * @param output the output file; late values go next to it, in {@code <output>.late}
 * @param engine the ordering settings (idle timeout, max delay, duplicates)
 * @param maxSkewMs values further than this from the server clock are rejected
 * @param maxConnections connections beyond this are refused with {@code ERR 0 server full}
 * @param readBatchMs pause between polls so that each poll reads a batch of sockets; 0 wakes on
 *     every readiness event (lowest latency, most wake-ups)
 * @param flushIntervalMs how often buffered lines are written to the file
 * @param statsIntervalMs how often a stats line is logged; 0 for none
 * @param fsync when written lines are forced to disk
 * @param fsyncIntervalMs the interval of {@link FsyncPolicy#INTERVAL}
 * @param startupGraceMs after a restart (the output file exists) the watermark holds still this
 *     long, so that reconnecting clients can replay what a crash lost before anything is final
 * @param silentTimeoutMs a connection without a valid value this long is closed; 0 never
 * @param rotation event-time rotation of the output file ({@code --rotate}), or {@code null}
 * @param loops event-loop threads, each owning a share of the connections and an engine of its
 *     own; their ordered outputs are merged into the one file (1 to {@link #MAX_LOOPS})
 */
public record ServerConfig(
        InetSocketAddress bind,
        Path output,
        EngineConfig engine,
        long maxSkewMs,
        int maxConnections,
        long readBatchMs,
        long flushIntervalMs,
        long statsIntervalMs,
        FsyncPolicy fsync,
        long fsyncIntervalMs,
        long startupGraceMs,
        long silentTimeoutMs,
        Rotation rotation,
        int loops) {

    /** Most event loops: more than the cores of any machine this runs on is pointless. */
    public static final int MAX_LOOPS = 256;

    /** A config with one event loop. */
    public ServerConfig(InetSocketAddress bind, Path output, EngineConfig engine, long maxSkewMs, int maxConnections,
            long readBatchMs, long flushIntervalMs, long statsIntervalMs, FsyncPolicy fsync, long fsyncIntervalMs,
            long startupGraceMs, long silentTimeoutMs, Rotation rotation) {
        this(bind, output, engine, maxSkewMs, maxConnections, readBatchMs, flushIntervalMs, statsIntervalMs, fsync,
                fsyncIntervalMs, startupGraceMs, silentTimeoutMs, rotation, 1);
    }

    /** A config without rotation, with one event loop. */
    public ServerConfig(InetSocketAddress bind, Path output, EngineConfig engine, long maxSkewMs, int maxConnections,
            long readBatchMs, long flushIntervalMs, long statsIntervalMs, FsyncPolicy fsync, long fsyncIntervalMs,
            long startupGraceMs, long silentTimeoutMs) {
        this(bind, output, engine, maxSkewMs, maxConnections, readBatchMs, flushIntervalMs, statsIntervalMs, fsync,
                fsyncIntervalMs, startupGraceMs, silentTimeoutMs, null, 1);
    }

    /** This config with {@code n} event loops. */
    public ServerConfig withLoops(int n) {
        return new ServerConfig(bind, output, engine, maxSkewMs, maxConnections, readBatchMs, flushIntervalMs,
                statsIntervalMs, fsync, fsyncIntervalMs, startupGraceMs, silentTimeoutMs, rotation, n);
    }

    /** The default port. */
    public static final int DEFAULT_PORT = 5050;
    /**
     * Span of client replays the pending window is sized for beyond the max delay and the grace:
     * the client's default {@code --replay}.
     */
    public static final long REPLAY_ALLOWANCE_MS = 10_000;

    /** Validates the ranges. */
    public ServerConfig {
        if (maxSkewMs < 1) {
            throw new IllegalArgumentException("max skew must be at least 1 ms");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("max connections must be at least 1");
        }
        if (readBatchMs < 0 || readBatchMs > 1000) {
            throw new IllegalArgumentException("read batch must be 0 to 1000 ms");
        }
        if (flushIntervalMs < 1) {
            throw new IllegalArgumentException("flush interval must be at least 1 ms");
        }
        if (statsIntervalMs < 0) {
            throw new IllegalArgumentException("stats interval must be >= 0");
        }
        if (fsyncIntervalMs < 1) {
            throw new IllegalArgumentException("fsync interval must be at least 1 ms");
        }
        if (startupGraceMs < 0 || startupGraceMs > 600_000) {
            throw new IllegalArgumentException("startup grace must be 0 to 10 minutes");
        }
        if (silentTimeoutMs < 0) {
            throw new IllegalArgumentException("silent timeout must be >= 0");
        }
        if (loops < 1 || loops > MAX_LOOPS) {
            throw new IllegalArgumentException("loops must be 1 to " + MAX_LOOPS);
        }
    }

    /**
     * The engine settings a server with these options runs:
     * <ul>
     *   <li>values may be ahead of the clock by the max skew (at most
     *       {@link EngineConfig#MAX_AHEAD_MS}): they wait for the clock;</li>
     *   <li>a startup grace holds the watermark back by the max delay, the grace and a client's
     *       replay ({@link #REPLAY_ALLOWANCE_MS}), so replays after a restart are in time;</li>
     *   <li>the duplicate history covers every value the skew check lets through below the
     *       watermark: both lie within the skew of the server clock, so at most two skews apart.</li>
     * </ul>
     */
    public static EngineConfig engineFor(long idleTimeoutMs, long maxDelayMs, long maxSkewMs, long startupGraceMs,
            boolean keepDuplicates) {
        final long history = Math.min(EngineConfig.MAX_HISTORY_MS, Math.max(1L << 16, 2 * maxSkewMs + maxDelayMs + 1_000));
        return new EngineConfig(idleTimeoutMs, maxDelayMs, Math.min(maxSkewMs, EngineConfig.MAX_AHEAD_MS),
                maxDelayMs + startupGraceMs + REPLAY_ALLOWANCE_MS, keepDuplicates, history);
    }
}
