package dev.stampede.server;

import dev.stampede.stats.ServerStats;
import dev.stampede.journal.AppendChannel;
import dev.stampede.store.FsyncPolicy;
import dev.stampede.testing.LineClient;
import dev.stampede.transport.ServerTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;

/** A real server on an ephemeral loopback port writing to a temp folder, for integration tests. */
final class ServerHarness implements AutoCloseable {
    final Path output;
    final List<String> log;
    private final IngestServer server;

    private ServerHarness(Path output, IngestServer server, List<String> log) {
        this.output = output;
        this.server = server;
        this.log = log;
    }

    /** Settings for a test server; change what the test is about and call {@link #start}. */
    static final class Builder {
        long idleTimeoutMs = 200;
        long maxDelayMs = 5_000;
        boolean keepDuplicates;
        long maxSkewMs = 300_000;
        int maxConnections = 10_000;
        long readBatchMs;
        boolean readBatchFixed;
        long startupGraceMs;
        long silentTimeoutMs = 30_000;
        FsyncPolicy fsync = FsyncPolicy.INTERVAL;
        long fsyncIntervalMs = 100;
        AppendChannel.Opener opener = AppendChannel.FILES;
        String fileName = "timestamps.txt";
        int loops = 1;
        long statsIntervalMs;
        Consumer<String> logTo;

        Builder loops(int v) {
            loops = v;
            return this;
        }
        ServerTls tls;

        Builder statsIntervalMs(long v) {
            statsIntervalMs = v;
            return this;
        }

        /** Where the server's lines go too (they are kept in {@link #log} as well). */
        Builder logTo(Consumer<String> v) {
            logTo = v;
            return this;
        }

        Builder idleTimeoutMs(long v) {
            idleTimeoutMs = v;
            return this;
        }

        Builder maxDelayMs(long v) {
            maxDelayMs = v;
            return this;
        }

        Builder keepDuplicates() {
            keepDuplicates = true;
            return this;
        }

        Builder maxConnections(int v) {
            maxConnections = v;
            return this;
        }

        Builder readBatchMs(long v) {
            readBatchMs = v;
            return this;
        }

        /** A fixed pause after every poll that read ({@code --read-batch D}), not the adaptive one. */
        Builder fixedReadBatchMs(long v) {
            readBatchMs = v;
            readBatchFixed = true;
            return this;
        }

        Builder silentTimeoutMs(long v) {
            silentTimeoutMs = v;
            return this;
        }

        Builder startupGraceMs(long v) {
            startupGraceMs = v;
            return this;
        }

        Builder fsync(FsyncPolicy v) {
            fsync = v;
            return this;
        }

        Builder fsyncIntervalMs(long v) {
            fsyncIntervalMs = v;
            return this;
        }

        Builder opener(AppendChannel.Opener v) {
            opener = v;
            return this;
        }

        Builder tls(ServerTls v) {
            tls = v;
            return this;
        }

        Builder fileName(String v) {
            fileName = v;
            return this;
        }

        ServerHarness start(Path dir) throws IOException {
            final Path output = dir.resolve(fileName);
            final ServerConfig config = ServerConfig.builder()
                    .bind(new InetSocketAddress("127.0.0.1", 0))
                    .output(output)
                    .idleTimeoutMs(idleTimeoutMs)
                    .maxDelayMs(maxDelayMs)
                    .maxSkewMs(maxSkewMs)
                    .startupGraceMs(startupGraceMs)
                    .keepDuplicates(keepDuplicates)
                    .maxConnections(maxConnections)
                    .readBatchMs(readBatchMs)
                    .readBatchAdaptive(!readBatchFixed)
                    .flushIntervalMs(5)
                    .statsIntervalMs(statsIntervalMs)
                    .fsync(fsync)
                    .fsyncIntervalMs(fsyncIntervalMs)
                    .silentTimeoutMs(silentTimeoutMs)
                    .loops(loops)
                    .tls(tls)
                    .build();
            final List<String> log = Collections.synchronizedList(new ArrayList<>());
            final Consumer<String> to = logTo;
            return new ServerHarness(output, IngestServer.start(config, line -> {
                log.add(line);
                if (to != null) {
                    to.accept(line);
                }
            }, opener), log);
        }
    }

    /**
     * A timestamp a second in the past, to build test values from: final at once, and never
     * ahead of the server's clock when a test stops the server right after sending (a value
     * from the future goes to the late file at a clean stop).
     */
    static long aSecondAgo() {
        return System.currentTimeMillis() - 1_000;
    }

    static Builder with() {
        return new Builder();
    }

    int port() {
        return server.port();
    }

    LineClient connect() throws IOException {
        return new LineClient(server.port());
    }

    ServerStats stats() {
        return server.stats();
    }

    /** Connections read by sweep now ({@link SweptReads}). */
    int sweptConnections() {
        return server.sweptConnections();
    }

    boolean isRunning() {
        return server.isRunning();
    }

    /** The server's current write error, {@code null} while writes succeed. */
    String writeFailure() {
        return server.writeFailure();
    }

    ServerStats stop() {
        return server.stop();
    }

    /** The output file's values so far (complete lines only). */
    List<Long> written() {
        return readValues(output);
    }

    /** The late file's values so far. */
    List<Long> late() {
        return readValues(output.resolveSibling(output.getFileName() + ".late"));
    }

    static List<Long> readValues(Path file) {
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            final String text = Files.readString(file);
            final List<Long> values = new ArrayList<>();
            int start = 0;
            for (int nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
                values.add(Long.parseLong(text.substring(start, nl)));
                start = nl + 1;
            }
            return values;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.stop();
    }
}
