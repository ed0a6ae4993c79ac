package dev.stampede.client;

import dev.stampede.transport.ClientTls;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything the client needs to run, validated. Times are in milliseconds. Immutable.
 *
 * @param servers the servers' addresses, at least one, all different: connection i starts on
 *     server i mod n and fails over to the next one (see {@link Connector#FAILOVER_AFTER})
 * @param connections how many connections to keep open
 * @param intervalMs time between two sends of one connection
 * @param durationMs how long to send, from the end of the connect phase; 0 until stopped
 * @param phase where in each interval each connection sends
 * @param replayMs how much of what a connection sent it sends again after a reconnect; 0 none
 * @param record file to append every timestamp sent to, or {@code null}
 * @param sourceAddresses local addresses to bind, round robin; empty to let the OS choose
 * @param statsIntervalMs how often the status line goes to the log; 0 for none
 * @param sendBufferBytes SO_SNDBUF of each socket; 0 leaves the OS default (autotuned). A small
 *     one makes a server that stops reading show up sooner (tests use it)
 * @param histogramLog file to write the send lateness to as an HdrHistogram interval log, one
 *     interval per stats interval (a second with none), or {@code null}
 * @param tls TLS for every connection ({@code --tls}...), or {@code null} for plaintext
 * @param acks whether every connection asks for acknowledgements (its first line the opener) and
 *     keeps its values until they are acknowledged ({@code --no-acks}: false, the replay only)
 * @param unackedMs how much of its sends a connection keeps at least while they are not
 *     acknowledged (the bound of its memory: past it, the oldest are dropped and counted)
 * @param connectTimeoutMs a connect not finished within this fails; 0 for the kernel's own
 * @param ackTimeoutMs silence after which a server known to acknowledge is treated as failed; 0 never
 */
public record ClientConfig(
        List<InetSocketAddress> servers,
        int connections,
        long intervalMs,
        long durationMs,
        Phase phase,
        long replayMs,
        Path record,
        List<InetAddress> sourceAddresses,
        long statsIntervalMs,
        int sendBufferBytes,
        Path histogramLog,
        ClientTls tls,
        boolean acks,
        long unackedMs,
        long connectTimeoutMs,
        long ackTimeoutMs) {

    /** Most connections one client opens. */
    public static final int MAX_CONNECTIONS = 1_000_000;
    /** Longest interval. */
    public static final long MAX_INTERVAL_MS = 3_600_000;
    /** Most memory all connections' replay rings may take together. */
    public static final long MAX_REPLAY_BYTES = 64L << 20;
    /** Most memory all connections' rings may take together with acknowledgements ({@code --unacked}). */
    public static final long MAX_UNACKED_BYTES = 1L << 30;
    /** Values a connection may hold unsent while its socket is full, before ticks are missed. */
    public static final int BACKLOG_VALUES = 8;

    /** Validates the ranges, with messages that name the option. */
    public ClientConfig {
        if (connections < 1 || connections > MAX_CONNECTIONS) {
            throw new IllegalArgumentException(
                    "--connections must be 1 to " + MAX_CONNECTIONS + ", not " + connections);
        }
        if (intervalMs < 1 || intervalMs > MAX_INTERVAL_MS) {
            throw new IllegalArgumentException("--interval must be 1ms to 1h");
        }
        if (durationMs < 0) {
            throw new IllegalArgumentException("--duration must not be negative");
        }
        if (replayMs < 0 || replayMs > 24 * MAX_INTERVAL_MS) {
            throw new IllegalArgumentException("--replay must be 0 to 24h");
        }
        if (statsIntervalMs < 0) {
            throw new IllegalArgumentException("--stats-interval must not be negative");
        }
        if (sendBufferBytes < 0) {
            throw new IllegalArgumentException("send buffer must not be negative");
        }
        if (phase == null || servers == null || servers.isEmpty()) {
            throw new IllegalArgumentException("phase and a server are required");
        }
        servers = List.copyOf(servers);
        if (servers.stream().distinct().count() < servers.size()) {
            throw new IllegalArgumentException("a server is listed twice: " + ServerAddresses.format(servers));
        }
        sourceAddresses = sourceAddresses == null ? List.of() : List.copyOf(sourceAddresses);
        long bytes;
        try {
            bytes = connections * ReplayRing.bytesFor(replayEntries(replayMs, intervalMs), BACKLOG_VALUES, intervalMs);
        } catch (IllegalArgumentException tooLarge) {
            bytes = Long.MAX_VALUE;
        }
        if (bytes > MAX_REPLAY_BYTES) {
            throw new IllegalArgumentException("--replay " + replayMs + "ms at --interval " + intervalMs + "ms on "
                    + connections + " connections needs " + (bytes >> 20) + " MiB of replay memory (at most "
                    + (MAX_REPLAY_BYTES >> 20) + " MiB): shorten --replay");
        }
        if (unackedMs < 0 || unackedMs > 24 * MAX_INTERVAL_MS) {
            throw new IllegalArgumentException("--unacked must be 0 to 24h");
        }
        if (connectTimeoutMs < 0 || ackTimeoutMs < 0) {
            throw new IllegalArgumentException("--connect-timeout and --ack-timeout must not be negative");
        }
        if (acks && ackTimeoutMs > 0 && ackTimeoutMs < 2_000) {
            // The server sends at least once a second: less than two of its periods would fail
            // healthy servers.
            throw new IllegalArgumentException("--ack-timeout must be at least 2s (or 0 for none)");
        }
        try {
            bytes = connections * ringBytes(replayMs, unackedEntries(acks, unackedMs, intervalMs), intervalMs);
        } catch (IllegalArgumentException tooLarge) {
            bytes = Long.MAX_VALUE;
        }
        if (bytes > MAX_UNACKED_BYTES) {
            throw new IllegalArgumentException("--unacked " + unackedMs + "ms at --interval " + intervalMs + "ms on "
                    + connections + " connections needs " + (bytes >> 20) + " MiB of memory (at most "
                    + (MAX_UNACKED_BYTES >> 20) + " MiB): shorten --unacked");
        }
    }

    /**
     * The most bytes one connection's ring may grow to: its replay and, with acknowledgements, its values not
     * acknowledged (2 bytes a value, rounded up to a power of two; see {@link ReplayRing#bytesFor}).
     */
    public long ringBytes() {
        return ringBytes(replayMs, unackedEntries(), intervalMs);
    }

    private static long ringBytes(long replayMs, int unackedEntries, long intervalMs) {
        return ReplayRing.bytesFor(Math.max(replayEntries(replayMs, intervalMs), unackedEntries), BACKLOG_VALUES,
                intervalMs);
    }

    /** Written values a connection keeps while they are not acknowledged: ceil(unacked/interval)+1, 0 without acks. */
    public int unackedEntries() {
        return unackedEntries(acks, unackedMs, intervalMs);
    }

    private static int unackedEntries(boolean acks, long unackedMs, long intervalMs) {
        return acks ? replayEntries(unackedMs, intervalMs) : 0;
    }

    /** Settings named one by one; see {@link Builder} for the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder().servers(servers).connections(connections).intervalMs(intervalMs).durationMs(durationMs)
                .phase(phase).replayMs(replayMs).record(record).sourceAddresses(sourceAddresses)
                .statsIntervalMs(statsIntervalMs).sendBufferBytes(sendBufferBytes).histogramLog(histogramLog).tls(tls)
                .acks(acks).unackedMs(unackedMs).connectTimeoutMs(connectTimeoutMs).ackTimeoutMs(ackTimeoutMs);
    }

    /** The first server (the only one, with one {@code --host}). */
    public InetSocketAddress server() {
        return servers.get(0);
    }

    /** Written values a connection keeps to send again after a reconnect: ceil(replay/interval)+1. */
    public int replayEntries() {
        return replayEntries(replayMs, intervalMs);
    }

    private static int replayEntries(long replayMs, long intervalMs) {
        return replayMs == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE / 2, (replayMs + intervalMs - 1) / intervalMs + 1);
    }

    /**
     * Builds a {@link ClientConfig} from named settings, with the defaults of
     * {@code ./stampede client} (its options name the same settings): one server at
     * 127.0.0.1:5050, 50 connections, a send every 50 ms until stopped, spread phase, a 10 s
     * replay, no record file, the OS's source addresses, a status line every second, the OS's send
     * buffer, no histogram log, plaintext, acknowledgements on keeping at least 60 s of sends
     * unacknowledged, a 3 s connect timeout and a 5 s ack timeout. {@link #build()} validates, with messages that name the
     * option.
     */
    public static final class Builder {
        /** The server's default port (the server's {@code ServerConfig.DEFAULT_PORT}). */
        private static final int DEFAULT_PORT = 5050;

        private List<InetSocketAddress> servers = List.of(new InetSocketAddress("127.0.0.1", DEFAULT_PORT));
        private int connections = 50;
        private long intervalMs = 50;
        private long durationMs;
        private Phase phase = Phase.SPREAD;
        private long replayMs = 10_000;
        private Path record;
        private List<InetAddress> sourceAddresses = List.of();
        private long statsIntervalMs = 1_000;
        private int sendBufferBytes;
        private Path histogramLog;
        private ClientTls tls;
        private boolean acks = true;
        private long unackedMs = 60_000;
        private long connectTimeoutMs = 3_000;
        private long ackTimeoutMs = 5_000;

        private Builder() {}

        /** The servers, in order: connection i starts on server i mod n. */
        public Builder servers(List<InetSocketAddress> v) {
            servers = v;
            return this;
        }

        /** One server. */
        public Builder server(InetSocketAddress v) {
            servers = List.of(v);
            return this;
        }

        /** How many connections to keep open. */
        public Builder connections(int v) {
            connections = v;
            return this;
        }

        /** Time between two sends of one connection. */
        public Builder intervalMs(long v) {
            intervalMs = v;
            return this;
        }

        /** How long to send, from the end of the connect phase; 0 until stopped. */
        public Builder durationMs(long v) {
            durationMs = v;
            return this;
        }

        /** Where in each interval each connection sends. */
        public Builder phase(Phase v) {
            phase = v;
            return this;
        }

        /** How much of what a connection sent it sends again after a reconnect; 0 none. */
        public Builder replayMs(long v) {
            replayMs = v;
            return this;
        }

        /** File to append every timestamp sent to, or {@code null}. */
        public Builder record(Path v) {
            record = v;
            return this;
        }

        /** Local addresses to bind, round robin; empty to let the OS choose. */
        public Builder sourceAddresses(List<InetAddress> v) {
            sourceAddresses = v;
            return this;
        }

        /** How often the status line goes to the log; 0 for none. */
        public Builder statsIntervalMs(long v) {
            statsIntervalMs = v;
            return this;
        }

        /** SO_SNDBUF of each socket; 0 leaves the OS default. */
        public Builder sendBufferBytes(int v) {
            sendBufferBytes = v;
            return this;
        }

        /** File for the send lateness as an HdrHistogram interval log, or {@code null}. */
        public Builder histogramLog(Path v) {
            histogramLog = v;
            return this;
        }

        /** TLS for every connection, or {@code null} for plaintext. */
        public Builder tls(ClientTls v) {
            tls = v;
            return this;
        }

        /** Whether connections ask for acknowledgements ({@code --no-acks}: false). */
        public Builder acks(boolean v) {
            acks = v;
            return this;
        }

        /** How much of its sends a connection keeps at least while not acknowledged. */
        public Builder unackedMs(long v) {
            unackedMs = v;
            return this;
        }

        /** A connect not finished within this fails; 0 for the kernel's own. */
        public Builder connectTimeoutMs(long v) {
            connectTimeoutMs = v;
            return this;
        }

        /** Silence after which a server known to acknowledge is treated as failed; 0 never. */
        public Builder ackTimeoutMs(long v) {
            ackTimeoutMs = v;
            return this;
        }

        /** The config, validated. */
        public ClientConfig build() {
            return new ClientConfig(servers, connections, intervalMs, durationMs, phase, replayMs, record,
                    sourceAddresses, statsIntervalMs, sendBufferBytes, histogramLog, tls, acks, unackedMs,
                    connectTimeoutMs, ackTimeoutMs);
        }
    }
}
