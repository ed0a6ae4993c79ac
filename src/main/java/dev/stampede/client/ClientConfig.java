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

    /** A config without TLS. */
    public ClientConfig(List<InetSocketAddress> servers, int connections, long intervalMs, long durationMs,
            Phase phase, long replayMs, Path record, List<InetAddress> sourceAddresses, long statsIntervalMs,
            int sendBufferBytes, Path histogramLog) {
        this(servers, connections, intervalMs, durationMs, phase, replayMs, record, sourceAddresses, statsIntervalMs,
                sendBufferBytes, histogramLog, null);
    }

    /** This config with TLS ({@code null}: plaintext). */
    public ClientConfig withTls(ClientTls clientTls) {
        return new ClientConfig(servers, connections, intervalMs, durationMs, phase, replayMs, record, sourceAddresses,
                statsIntervalMs, sendBufferBytes, histogramLog, clientTls);
    }

    /** A config without a histogram log. */
    public ClientConfig(List<InetSocketAddress> servers, int connections, long intervalMs, long durationMs,
            Phase phase, long replayMs, Path record, List<InetAddress> sourceAddresses, long statsIntervalMs,
            int sendBufferBytes) {
        this(servers, connections, intervalMs, durationMs, phase, replayMs, record, sourceAddresses, statsIntervalMs,
                sendBufferBytes, null);
    }

    /** This config with {@code --histogram-log FILE}. */
    public ClientConfig withHistogramLog(Path file) {
        return new ClientConfig(servers, connections, intervalMs, durationMs, phase, replayMs, record, sourceAddresses,
                statsIntervalMs, sendBufferBytes, file, tls);
    }

    /** A config with the OS's default socket send buffer. */
    public ClientConfig(List<InetSocketAddress> servers, int connections, long intervalMs, long durationMs,
            Phase phase, long replayMs, Path record, List<InetAddress> sourceAddresses, long statsIntervalMs) {
        this(servers, connections, intervalMs, durationMs, phase, replayMs, record, sourceAddresses, statsIntervalMs,
                0);
    }

    /** A config for one server. */
    public ClientConfig(InetSocketAddress server, int connections, long intervalMs, long durationMs, Phase phase,
            long replayMs, Path record, List<InetAddress> sourceAddresses, long statsIntervalMs, int sendBufferBytes) {
        this(List.of(server), connections, intervalMs, durationMs, phase, replayMs, record, sourceAddresses,
                statsIntervalMs, sendBufferBytes);
    }

    /** A config for one server, with the OS's default socket send buffer. */
    public ClientConfig(InetSocketAddress server, int connections, long intervalMs, long durationMs, Phase phase,
            long replayMs, Path record, List<InetAddress> sourceAddresses, long statsIntervalMs) {
        this(List.of(server), connections, intervalMs, durationMs, phase, replayMs, record, sourceAddresses,
                statsIntervalMs, 0);
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
}
