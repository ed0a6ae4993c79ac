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
import java.util.List;
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
        return IngestServer.start(config(port, output).withTls(tls), log);
    }

    private static ServerConfig config(int port, Path output) {
        return new ServerConfig(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port),
                output,
                ServerConfig.engineFor(500, 5_000, 300_000, 3_000, false),
                300_000,
                10_000,
                0,
                10,
                0,
                FsyncPolicy.INTERVAL,
                1_000,
                3_000,
                30_000);
    }

    /** A client config for loopback, with defaults for the rest (no periodic stats line). */
    static ClientConfig client(int port, int connections, long durationMs, Phase phase, Path record) {
        return new ClientConfig(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), connections, 50,
                durationMs, phase, 10_000, record, List.of(), 0);
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
