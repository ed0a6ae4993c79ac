package dev.stampede.cli;

import dev.stampede.format.OutputFiles;
import dev.stampede.metrics.Readiness;
import dev.stampede.metrics.ReadinessChecks;
import dev.stampede.metrics.ReadySwitch;
import dev.stampede.runtime.AsyncLog;
import dev.stampede.kafka.KafkaSettings;
import dev.stampede.kafka.NodePublisher;
import dev.stampede.metrics.ServerMetrics;
import dev.stampede.server.IngestServer;
import dev.stampede.server.ServerConfig;
import dev.stampede.stats.ServerStats;
import dev.stampede.transport.TlsWarmup;
import dev.stampede.journal.FileFormatException;
import dev.stampede.journal.FileLockedException;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./stampede server}: receive, order, deduplicate, append. */
@Command(
        name = "server",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Receive timestamps, merge them in order, append them to a file.",
            "",
            "Listens for TCP connections that send one decimal epoch-millisecond number per line, "
                    + "merges all of them into one ascending stream without duplicates, and appends it "
                    + "continuously to a file.",
            "",
            "A value is written once every connection has sent past it (or gone quiet for "
                    + "--idle-timeout, or waited --max-delay). A value that comes after that is 'late': "
                    + "counted, and kept in <output>.late. Stats go to stderr; SIGTERM or Ctrl-C writes "
                    + "everything pending and exits 0 (a second one exits 130 at once, but never in the middle "
                    + "of a write: no torn line).",
            "",
            "Restarted on an existing file, it appends after the last complete line (an unfinished "
                    + "one, left by a crash, is cut) and keeps the file ordered and unique across the "
                    + "restart. It refuses a file that is not its own format.",
            "",
            "SIGHUP reloads, without a restart: the TLS certificate, key and client CA (read again from "
                    + "their files: new handshakes use them, connections up keep theirs; files that cannot be "
                    + "used keep the old ones), and from --config the settings " + ServerCommand.RELOADABLE_HELP + " (the "
                    + "command line still wins). Any other setting changed in the file is logged as needing a "
                    + "restart, and ignored.",
        },
        footer = {
            "",
            "Examples:",
            "  ./stampede server                           # 127.0.0.1:5050 -> timestamps.txt",
            "  ./stampede server --port 6000 -o /data/ts.txt",
            "  date +%%s%%3N | nc -N 127.0.0.1 5050          # a valid client",
            "  tail -f timestamps.txt                      # watch the file grow",
            "  ./stampede server --metrics 9400            # curl 127.0.0.1:9400/metrics",
            "  ./stampede server --bind 0.0.0.0 --tls-cert server.pem --tls-key server.key \\",
            "      --tls-client-ca ca.pem                  # TLS; clients need a certificate",
        })
final class ServerCommand implements Callable<Integer> {
    /** The settings a SIGHUP applies from the config file, for --help ({@link ServerReload#RELOADABLE}). */
    static final String RELOADABLE_HELP = "max-connections and silent-timeout";
    /** How long a second signal waits for its message to reach stderr before it halts. */
    private static final long SECOND_SIGNAL_LOG_MS = 200;
    /** How long a clean stop waits for the rest of the files to reach Kafka (the next start does the rest). */
    private static final long PUBLISH_AT_STOP_MS = 10_000;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "" + ServerConfig.DEFAULT_PORT,
            description = "TCP port to listen on; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only; "
                    + "0.0.0.0 for every interface).")
    String bind;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "timestamps.txt",
            description = "File to append to, created if missing, never truncated (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--keep-duplicates",
            description = "Write repeated values too (the file is then non-decreasing, not strictly ascending).")
    boolean keepDuplicates;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "500ms",
            converter = DurationConverter.class,
            description = "A connection silent this long stops holding the file back (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--max-delay", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "Longest a value waits for slower connections before it is written (default: ${DEFAULT-VALUE}).")
    Duration maxDelay;

    @Option(names = "--max-skew", paramLabel = "DURATION", defaultValue = "5m", converter = DurationConverter.class,
            description = "Reject values further than this from the server clock (default: ${DEFAULT-VALUE}).")
    Duration maxSkew;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "Refuse connections beyond N with 'ERR 0 server full' "
                    + "(default: the open-files limit less 64; reloaded from --config on SIGHUP).")
    Integer maxConnections;

    @Option(names = "--startup-grace", paramLabel = "DURATION", defaultValue = "3s",
            converter = DurationConverter.class,
            description = "After a restart (the output file exists), hold every value this long so that "
                    + "reconnecting clients can replay what a crash lost before anything is final "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration startupGrace;

    @Option(names = "--silent-timeout", paramLabel = "DURATION", defaultValue = "30s",
            converter = DurationConverter.class,
            description = "Close a connection that sends no valid timestamp for this long (one that says "
                    + "nothing, or dribbles bytes); 0 never. When the server is full, a new connection "
                    + "also takes the place of the one silent the longest, if silent for --idle-timeout "
                    + "(default: ${DEFAULT-VALUE}; reloaded from --config on SIGHUP).")
    Duration silentTimeout;

    @Option(names = "--read-batch", paramLabel = "auto|DURATION", converter = ReadBatchConverter.class,
            defaultValue = ReadBatchConverter.AUTO,
            description = "Freshness of the file against CPU. A duration: after each round of reads that "
                    + "found something, pause this long so that the next one finds many sockets with several lines "
                    + "each: the file lags up to that much more, and CPU per timestamp falls (measured at 5,000 "
                    + "connections x 20/s, CPU per timestamp and file lag p50: auto 7.7 us, 59 ms; 100ms 2.5 us, "
                    + "127 ms; 400ms 0.94 us, 265 ms; docs/PERFORMANCE.md; must be shorter than --idle-timeout). "
                    + "From 50ms, connections that have lines at every round are read in a sweep, without "
                    + "the selector. 0 wakes on every arrival. auto: a 1-ms pause only while busy "
                    + "(10,000 timestamps/s or more) and while most connections are not ready already: the "
                    + "freshest file at about the C reference's cost; a loop saturated for 200 ms (most "
                    + "connections ready round after round) pauses half as long as a round for a second, so "
                    + "that its reads carry more than one line, and logs it (default: ${DEFAULT-VALUE}).")
    Duration readBatch;

    @Option(names = "--flush-interval", paramLabel = "DURATION", defaultValue = "10ms",
            converter = DurationConverter.class,
            description = "How often buffered lines are written to the file (default: ${DEFAULT-VALUE}).")
    Duration flushInterval;

    @Option(names = "--loops", paramLabel = "N", defaultValue = "1",
            description = "Event-loop threads, each with its share of the connections and its own ordering; "
                    + "their outputs merge into the one file, unique as with one loop. More loops use more cores: "
                    + "worth it only when one core is not enough; one costs least per timestamp "
                    + "(default: ${DEFAULT-VALUE}).")
    int loops;

    @Mixin
    FsyncOptions fsync = new FsyncOptions();

    @Mixin
    StatsOptions stats = new StatsOptions();

    @Mixin
    RotationOptions rotation = new RotationOptions();

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Option(names = "--node", paramLabel = "N",
            description = "With --kafka: this server's node id; it alone writes partition N of the topic.")
    Integer node;

    @Mixin
    MetricsOption metrics = new MetricsOption();

    @Mixin
    LogOptions logging = new LogOptions();

    @Mixin
    ServerTlsOptions tls = new ServerTlsOptions();

    @Mixin
    ConfigOptions configFile = new ConfigOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // Every line goes through the log, never straight to stderr: a stderr nobody reads must not
        // stop the event loop (nor the stop at the end).
        try (AsyncLog log = logging.open()) {
            return run(log);
        }
    }

    private int run(AsyncLog log) throws Exception {
        final Lifecycle life = new Lifecycle("server", log);
        final EffectiveSettings settings;
        try {
            settings = configFile.apply(spec);
        } catch (IllegalArgumentException e) {
            return life.usage(e.getMessage());
        }
        final ServerConfig config;
        final KafkaSettings publishTo;
        try {
            config = config();
            publishTo = kafkaSettings();
            if (configFile.check) {
                ConfigOptions.checkWritable("--output", output);
                ConfigOptions.checkWritable("--output", OutputFiles.latePath(output));
            }
        } catch (IllegalArgumentException | UnknownHostException e) {
            return life.usage(settings.annotate(e.getMessage()));
        } catch (IOException e) {
            return life.usage(settings.annotate("--kafka-config " + kafka.config + ": " + e.getMessage()));
        }
        if (configFile.check) {
            return configFile.passed(settings, spec.commandLine().getOut(), log, "server");
        }
        // The endpoint comes up first, so that /-/healthy answers (and /-/ready says why not)
        // during a long resume scan of a big output file.
        final ReadySwitch ready = new ReadySwitch("starting: the listener is not up yet");
        final AtomicReference<IngestServer> started = new AtomicReference<>();
        if (!life.serveMetrics(metrics, new ServerMetrics(() -> {
            final IngestServer s = started.get();
            return s == null ? ServerStats.zero() : s.stats();
        }), ready, () -> { })) {
            return Lifecycle.FAILED;
        }
        if (config.tls() != null) {
            // Before listening: a restart's reconnect storm would otherwise meet a cold JIT.
            log.accept(TlsWarmup.run(config.tls(), TlsWarmup.DEFAULT_BUDGET_MS).describe());
        }
        final IngestServer server;
        try {
            server = IngestServer.start(config, log);
        } catch (FileFormatException | FileLockedException e) {
            return life.failed(e.getMessage());
        } catch (BindException e) {
            return life.failed("cannot listen on " + bind + ":" + port + ": " + e.getMessage()
                    + (port != 0 ? " (another server on this port? try --port)" : ""));
        } catch (IOException e) {
            return life.failed("cannot start: " + e);
        }
        log.accept("server: listening on " + hostPort(server.address())
                + (config.tls() != null ? " (TLS, " + (config.tls().clientAuth() ? "client certificates required"
                        : "no client certificates") + ")" : "")
                + ", writing " + output.toAbsolutePath() + " (late values: "
                + OutputFiles.latePath(output).getFileName() + ")");
        started.set(server);
        warnIfExposed(config, log);
        life.onHangup(new ServerReload(this, settings, config.tls(), server.limits(), log));
        life.onSecondSignal(() -> {
            log.accept("server: second signal: stopping now (between two writes, no torn line)");
            try {
                log.awaitDrained(SECOND_SIGNAL_LOG_MS); // say so if stderr is read; never wait long
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            server.haltBetweenWrites(Lifecycle.HALTED);
        });
        log.accept("server: idle-timeout=" + DurationConverter.format(idleTimeout)
                + " max-delay=" + DurationConverter.format(maxDelay)
                + " max-skew=" + DurationConverter.format(maxSkew)
                + (keepDuplicates ? " keep-duplicates" : " unique")
                + " max-connections=" + config.maxConnections()
                + " fsync=" + fsync.policyName()
                + " startup-grace=" + DurationConverter.format(startupGrace));
        final NodePublisher publisher = publishTo == null ? null : publish(publishTo, server, log);
        ready.set(publisher == null ? serverReady(server) : ReadinessChecks.all(serverReady(server),
                ReadinessChecks.publication(() -> server.durableOutput().durableMark(),
                        publisher::acknowledgedWatermark, ReadinessChecks.PUBLICATION_BOUND_MS)));
        life.ready("listening on " + hostPort(server.address()));
        final boolean signalled = life.awaitAndStop(server::isRunning, "writing what is pending, then exiting", () -> {
            final ServerStats last = server.stop();
            if (publisher != null) {
                // The files are complete now: publish their rest and say this node is leaving.
                publisher.finish(PUBLISH_AT_STOP_MS);
            }
            return last.summaryLine();
        });
        return Lifecycle.untilSignalled(signalled); // otherwise the loop failed, and said why
    }

    /** Ready while it runs and its writes succeed. */
    private static Readiness serverReady(IngestServer server) {
        return ReadinessChecks.server(server::isRunning, server::writeFailure);
    }

    /**
     * Beyond loopback without TLS, anyone who can reach the port writes into the file, and the
     * timestamps cross the network in clear text: say so, and what to do.
     */
    static void warnIfExposed(ServerConfig config, java.util.function.Consumer<String> log) {
        if (config.tls() != null || config.bind().getAddress().isLoopbackAddress()) {
            return;
        }
        log.accept("server: warning: listening on " + hostPort(config.bind()) + " without TLS: anyone who can "
                + "reach this port can write into " + config.output().getFileName() + ", and the timestamps cross "
                + "the network in clear text. Add --tls-cert FILE --tls-key FILE (and --tls-client-ca FILE to "
                + "admit only clients with a certificate), or --bind 127.0.0.1 (see docs/SECURITY.md)");
    }

    /** Starts publishing this node's files to its partition. */
    private NodePublisher publish(KafkaSettings settings, IngestServer server, AsyncLog log) {
        log.accept("server: kafka: publishing to " + settings.topic() + " partition " + node + " at "
                + settings.bootstrap());
        final NodePublisher p = new NodePublisher(settings, node, output, server.durableOutput(),
                OutputFiles.latePath(output), server.durableLate(), log).start();
        server.reportPublicationLag(p::lagMs);
        server.acknowledgeWhenPublished(p::acknowledgedWatermark, p::acknowledgedLateBytes);
        return p;
    }

    /** The Kafka settings, or {@code null} without --kafka; usage errors as IllegalArgumentException. */
    private KafkaSettings kafkaSettings() throws IOException {
        if (!kafka.given() && node == null) {
            return null;
        }
        if (node == null || node < 0) {
            throw new IllegalArgumentException("--kafka needs --node N (0 or more): the partition this server writes");
        }
        if (!rotation.rotate.isZero()) {
            throw new IllegalArgumentException("--rotate with --kafka is not supported yet (the publisher follows "
                    + "one file): rotate the merge's global file instead");
        }
        return kafka.settings("server");
    }

    /** The options as a config (the demo builds its server from these same options). */
    ServerConfig config() throws UnknownHostException {
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--port must be 0 to 65535, not " + port);
        }
        if (loops < 1 || loops > ServerConfig.MAX_LOOPS) {
            throw new IllegalArgumentException("--loops must be 1 to " + ServerConfig.MAX_LOOPS + ", not " + loops);
        }
        final ServerConfig.Builder b = ServerConfig.builder()
                .bind(new InetSocketAddress(InetAddress.getByName(bind), port))
                .output(output)
                .idleTimeoutMs(idleTimeout.toMillis())
                .maxDelayMs(maxDelay.toMillis())
                .maxSkewMs(maxSkew.toMillis())
                .keepDuplicates(keepDuplicates)
                .readBatchMs(readBatch == null ? 1 : readBatch.toMillis())
                .readBatchAdaptive(readBatch == null)
                .flushIntervalMs(flushInterval.toMillis())
                .statsIntervalMs(stats.statsIntervalMs())
                .fsync(fsync.policy)
                .fsyncIntervalMs(fsync.interval.toMillis())
                .startupGraceMs(startupGrace.toMillis())
                .silentTimeoutMs(silentTimeout.toMillis())
                .rotation(rotation.rotation())
                .loops(loops)
                .tls(tls.tls())
                .publishes(kafka.given());
        if (maxConnections != null) {
            b.maxConnections(maxConnections);
        }
        return b.build();
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }
}
