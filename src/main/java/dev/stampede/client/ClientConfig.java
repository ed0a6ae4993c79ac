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
        ClientTls tls) {

    /** Most connections one client opens. */
    public static final int MAX_CONNECTIONS = 1_000_000;
    /** Longest interval. */
    public static final long MAX_INTERVAL_MS = 3_600_000;
    /** Most memory all connections' replay rings may take together. */
    public static final long MAX_REPLAY_BYTES = 64L << 20;
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
    }

    /** Settings named one by one; see {@link Builder} for the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these settings, to change some of them. */
    public Builder toBuilder() {
        return new Builder().servers(servers).connections(connections).intervalMs(intervalMs).durationMs(durationMs)
                .phase(phase).replayMs(replayMs).record(record).sourceAddresses(sourceAddresses)
                .statsIntervalMs(statsIntervalMs).sendBufferBytes(sendBufferBytes).histogramLog(histogramLog).tls(tls);
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
     * buffer, no histogram log, plaintext. {@link #build()} validates, with messages that name the
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

        /** The config, validated. */
        public ClientConfig build() {
            return new ClientConfig(servers, connections, intervalMs, durationMs, phase, replayMs, record,
                    sourceAddresses, statsIntervalMs, sendBufferBytes, histogramLog, tls);
        }
    }
}
