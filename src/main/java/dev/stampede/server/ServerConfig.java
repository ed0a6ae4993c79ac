package dev.stampede.server;

import dev.stampede.engine.EngineConfig;
import dev.stampede.store.FsyncPolicy;
import dev.stampede.store.Rotation;
import dev.stampede.transport.ServerTls;
import java.lang.management.ManagementFactory;
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
 * @param readBatchAdaptive {@code --read-batch auto}: pause only while busy and while most
 *     connections are not ready already ({@link ReadBatchRule}); otherwise the pause is taken
 *     after every poll that found something, as the C reference's {@code --batch-ms} does
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
 * @param tls TLS for every connection ({@code --tls-cert}, {@code --tls-key}), or {@code null} for
 *     plaintext
 * @param publishes whether the node publishes to Kafka ({@code --kafka}): acknowledgements then
 *     also wait for the partition (see {@link IngestServer#acknowledgeWhenPublished})
 */
public record ServerConfig(
        InetSocketAddress bind,
        Path output,
        EngineConfig engine,
        long maxSkewMs,
        int maxConnections,
        long readBatchMs,
        boolean readBatchAdaptive,
        long flushIntervalMs,
        long statsIntervalMs,
        FsyncPolicy fsync,
        long fsyncIntervalMs,
        long startupGraceMs,
        long silentTimeoutMs,
        Rotation rotation,
        int loops,
        ServerTls tls,
        boolean publishes) {

    /** Most event loops: more than the cores of any machine this runs on is pointless. */
    public static final int MAX_LOOPS = 256;

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
        if (!readBatchAdaptive && readBatchMs >= engine.idleTimeoutMs()) {
            // A source read less often than its idle timeout would be judged idle between reads.
            throw new IllegalArgumentException("--read-batch must be shorter than --idle-timeout ("
                    + engine.idleTimeoutMs() + " ms)");
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

    /** Settings named one by one; see {@link Builder} for the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding these settings, to change some of them. The engine is carried as it is
     * (not derived again) unless an ordering setting is changed on the builder.
     */
    public Builder toBuilder() {
        final Builder b = new Builder().bind(bind).output(output).maxSkewMs(maxSkewMs).maxConnections(maxConnections)
                .readBatchMs(readBatchMs).readBatchAdaptive(readBatchAdaptive).flushIntervalMs(flushIntervalMs)
                .statsIntervalMs(statsIntervalMs)
                .fsync(fsync).fsyncIntervalMs(fsyncIntervalMs).startupGraceMs(startupGraceMs)
                .silentTimeoutMs(silentTimeoutMs).rotation(rotation).loops(loops).tls(tls).publishes(publishes)
                .idleTimeoutMs(engine.idleTimeoutMs()).maxDelayMs(engine.maxDelayMs())
                .keepDuplicates(engine.keepDuplicates());
        b.engine = engine;
        return b;
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

    /**
     * Builds a {@link ServerConfig} from named settings, with the defaults of
     * {@code ./stampede server} (its options name the same settings): 127.0.0.1:{@value #DEFAULT_PORT},
     * {@code timestamps.txt}, idle timeout 500 ms, max delay 5 s, max skew 5 min, unique values,
     * connections up to the open-files limit less 64, read batch 1 ms, flush every 10 ms, stats
     * every 5 s, fsync every 1 s, startup grace 3 s, silent timeout 30 s, no rotation, one loop,
     * plaintext. The engine settings are derived from the ordering settings by {@link #engineFor}.
     * {@link #build()} validates.
     */
    public static final class Builder {
        private InetSocketAddress bind = new InetSocketAddress("127.0.0.1", DEFAULT_PORT);
        private Path output = Path.of("timestamps.txt");
        private long idleTimeoutMs = 500;
        private long maxDelayMs = 5_000;
        private boolean keepDuplicates;
        private long maxSkewMs = 300_000;
        private int maxConnections = FdLimit.defaultMaxConnections();
        private long readBatchMs = 1;
        private boolean readBatchAdaptive = true;
        private long flushIntervalMs = 10;
        private long statsIntervalMs = 5_000;
        private FsyncPolicy fsync = FsyncPolicy.INTERVAL;
        private long fsyncIntervalMs = 1_000;
        private long startupGraceMs = 3_000;
        private long silentTimeoutMs = 30_000;
        private Rotation rotation;
        private int loops = 1;
        private ServerTls tls;
        private boolean publishes;
        /** The engine of {@link #toBuilder()}, until an ordering setting changes; else derived. */
        private EngineConfig engine;

        private Builder() {}

        /** Address and port to listen on. */
        public Builder bind(InetSocketAddress v) {
            bind = v;
            return this;
        }

        /** The port on the bind address; 0 for any free one. */
        public Builder port(int v) {
            bind = new InetSocketAddress(bind.getAddress(), v);
            return this;
        }

        /** The output file. */
        public Builder output(Path v) {
            output = v;
            return this;
        }

        /** A connection silent this long stops holding the file back. */
        public Builder idleTimeoutMs(long v) {
            idleTimeoutMs = v;
            engine = null;
            return this;
        }

        /** Longest a value waits for slower connections. */
        public Builder maxDelayMs(long v) {
            maxDelayMs = v;
            engine = null;
            return this;
        }

        /** Write repeated values too. */
        public Builder keepDuplicates(boolean v) {
            keepDuplicates = v;
            engine = null;
            return this;
        }

        /** Values further than this from the server clock are rejected. */
        public Builder maxSkewMs(long v) {
            maxSkewMs = v;
            engine = null;
            return this;
        }

        /** Connections beyond this are refused. */
        public Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        /** Whether the read batch pauses only while busy (the default) or after every poll that read. */
        public Builder readBatchAdaptive(boolean v) {
            readBatchAdaptive = v;
            return this;
        }

        /** Pause between polls; 0 wakes on every readiness event. */
        public Builder readBatchMs(long v) {
            readBatchMs = v;
            return this;
        }

        /** How often buffered lines are written to the file. */
        public Builder flushIntervalMs(long v) {
            flushIntervalMs = v;
            return this;
        }

        /** How often a stats line is logged; 0 for none. */
        public Builder statsIntervalMs(long v) {
            statsIntervalMs = v;
            return this;
        }

        /** When written lines are forced to disk. */
        public Builder fsync(FsyncPolicy v) {
            fsync = v;
            return this;
        }

        /** The interval of {@link FsyncPolicy#INTERVAL}. */
        public Builder fsyncIntervalMs(long v) {
            fsyncIntervalMs = v;
            return this;
        }

        /** After a restart, how long the watermark holds still. */
        public Builder startupGraceMs(long v) {
            startupGraceMs = v;
            engine = null;
            return this;
        }

        /** A connection without a valid value this long is closed; 0 never. */
        public Builder silentTimeoutMs(long v) {
            silentTimeoutMs = v;
            return this;
        }

        /** Event-time rotation of the output, or {@code null}. */
        public Builder rotation(Rotation v) {
            rotation = v;
            return this;
        }

        /** Event-loop threads, 1 to {@link #MAX_LOOPS}. */
        public Builder loops(int v) {
            loops = v;
            return this;
        }

        /** TLS for every connection, or {@code null} for plaintext. */
        public Builder tls(ServerTls v) {
            tls = v;
            return this;
        }

        /** Whether the node publishes to Kafka, so that acknowledgements wait for the partition too. */
        public Builder publishes(boolean v) {
            publishes = v;
            return this;
        }

        /** The config, validated. */
        public ServerConfig build() {
            final EngineConfig e = engine != null ? engine
                    : engineFor(idleTimeoutMs, maxDelayMs, maxSkewMs, startupGraceMs, keepDuplicates);
            return new ServerConfig(bind, output, e, maxSkewMs, maxConnections, readBatchMs, readBatchAdaptive,
                    flushIntervalMs, statsIntervalMs, fsync, fsyncIntervalMs, startupGraceMs, silentTimeoutMs, rotation, loops, tls,
                    publishes);
        }
    }

    /** The default connection limit, from the process's open-files limit. */
    static final class FdLimit {
        /** File descriptors the JVM and the server need besides their sockets. */
        private static final int RESERVED_FDS = 64;

        private FdLimit() {}

        static int defaultMaxConnections() {
            final var os = ManagementFactory.getOperatingSystemMXBean();
            long limit = 1024;
            if (os instanceof com.sun.management.UnixOperatingSystemMXBean) {
                limit = ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
            }
            return (int) Math.max(1, Math.min(Integer.MAX_VALUE, limit - RESERVED_FDS));
        }
    }
}
