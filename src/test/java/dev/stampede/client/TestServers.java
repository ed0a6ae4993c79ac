package dev.stampede.client;

import dev.stampede.server.IngestServer;
import dev.stampede.server.ServerConfig;
import dev.stampede.stats.ClientStats;
import dev.stampede.store.FsyncPolicy;
import dev.stampede.testing.Await;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/** Test helpers: a real in-process server, client configs, and waiting on conditions with deadlines. */
final class TestServers {
    private TestServers() {}

    /** A stampede server on loopback; port 0 picks a free one. */
    static IngestServer server(int port, Path output, Consumer<String> log) throws IOException {
        return IngestServer.start(config(port, output), log);
    }

    /** A stampede server with TLS on loopback; port 0 picks a free one. */
    static IngestServer tlsServer(int port, Path output, dev.stampede.transport.ServerTls tls, Consumer<String> log)
            throws IOException {
        return IngestServer.start(config(port, output).toBuilder().tls(tls).build(), log);
    }

    private static ServerConfig config(int port, Path output) {
        return ServerConfig.builder()
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .output(output)
                .idleTimeoutMs(500)
                .maxDelayMs(5_000)
                .maxSkewMs(300_000)
                .startupGraceMs(3_000)
                .maxConnections(10_000)
                .readBatchMs(0)
                .flushIntervalMs(10)
                .statsIntervalMs(0)
                .fsync(FsyncPolicy.INTERVAL)
                .fsyncIntervalMs(1_000)
                .silentTimeoutMs(30_000)
                .build();
    }

    /** A client config for loopback, with defaults for the rest (no periodic stats line). */
    static ClientConfig client(int port, int connections, long durationMs, Phase phase, Path record) {
        return ClientConfig.builder().server(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .connections(connections).intervalMs(50).durationMs(durationMs).phase(phase).replayMs(10_000)
                .record(record).statsIntervalMs(0).build();
    }

    /** Waits until {@code condition} holds; fails after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        Await.until(what, timeout, condition);
    }

    /** Waits until the client has sent at least {@code more} values beyond what it had sent now. */
    static void awaitMoreSent(LoadClient client, long more, Duration timeout) {
        final long target = client.stats().sent() + more;
        await(target + " values sent", timeout, () -> client.stats().sent() >= target);
    }

    /** Every tick of a bounded run is sent or missed, none unaccounted for. */
    static long ticks(ClientStats s) {
        return s.sent() + s.missed();
    }
}
