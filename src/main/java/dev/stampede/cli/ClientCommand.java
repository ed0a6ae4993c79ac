package dev.stampede.cli;

import dev.stampede.metrics.ReadinessChecks;
import dev.stampede.runtime.AsyncLog;
import dev.stampede.client.ClientConfig;
import dev.stampede.client.LoadClient;
import dev.stampede.client.Phase;
import dev.stampede.client.ServerAddresses;
import dev.stampede.client.SourceAddresses;
import dev.stampede.metrics.ClientMetrics;
import dev.stampede.server.ServerConfig;
import dev.stampede.stats.ClientStats;
import dev.stampede.transport.ClientTls;
import dev.stampede.transport.TlsSetupException;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ./stampede client}: many connections, each sending the time on a fixed schedule. */
@Command(
        name = "client",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Open many connections to a server; each sends the time every 50 ms.",
            "",
            "Every connection sends, every --interval, the wall-clock time as decimal epoch "
                    + "milliseconds on one line. The schedule is fixed-rate without drift: the k-th send "
                    + "of connection i is due at start_i + k x interval; with --phase spread the "
                    + "connections take turns evenly over the interval. A tick that comes due while the "
                    + "process is paused is sent once and the others counted as missed, never sent "
                    + "as a burst. Sends due within 1 ms of each other share one wake-up (the earlier ones "
                    + "go out up to 1 ms late, measured against their own due time, which never moves).",
            "",
            "A refused or lost connection is retried with exponential back-off (100 ms to 5 s, "
                    + "with jitter) while the others carry on. Every connection asks its server for "
                    + "acknowledgements (its first line is 'ACKS 1') and keeps what it sent until the server "
                    + "says it is durable (--unacked); once back, it first sends again exactly what was not "
                    + "acknowledged, so that a server restart or failover loses nothing: the server drops what "
                    + "it already has. With a server that does not acknowledge (or --no-acks) it sends again "
                    + "what it sent in the last --replay instead.",
            "",
            "Several servers (--host a:5050,b:5050,c:5050): connection i starts on server i mod n, so "
                    + "each gets about 1/n of the connections. A connection whose server fails it "
                    + "5 times in a row (the loss and 4 refused reconnects: 1.5 to 3 s with the back-off) "
                    + "moves to the next server in the list, wrapping around, and replays there. So a "
                    + "server restarted within 1.5 s keeps all its clients, and one gone for good loses "
                    + "them within about 3 s. A moved connection does not move back by itself; it moves "
                    + "on only if its new server fails it too. failovers= counts the moves. A server known to "
                    + "acknowledge that says nothing for --ack-timeout is left at once (a frozen host).",
            "",
            "A status line goes to stderr every --stats-interval, and a summary of key=value pairs "
                    + "at the end (sent=, missed=, late_p99_us=, ...). SIGTERM or Ctrl-C stops cleanly, exit 0. "
                    + "With --max-missed, --max-errors or --max-dropped, a run past a limit exits 99 (a CI gate).",
        },
        footer = {
            "",
            "Examples:",
            "  ./stampede client                         # 50 connections to 127.0.0.1:5050",
            "  ./stampede client -c 60 --host 10.0.0.1,10.0.0.2:5051,[fd00::3]:5050",
            "                                            # 20 connections to each of three servers",
            "  ./stampede client -c 5000 --duration 10s -q   # bounded; the summary only",
            "  ./stampede client -c 20000 --loops 2      # two event loops, whatever the machine",
            "  ./stampede client --phase aligned         # each value sent 50 times",
            "  ./stampede client --record sent.txt --duration 30s",
            "  ./stampede verify timestamps.txt --expect sent.txt",
            "  ./stampede client --histogram-log lateness.hlog --duration 60s",
            "  ./stampede client --metrics 9401           # curl 127.0.0.1:9401/metrics",
            "  ./stampede client --host ingest.example.com --tls-ca ca.pem \\",
            "      --tls-cert client.pem --tls-key client.key   # mutual TLS",
            "  ./stampede client -c 60000 --interval 1s \\",
            "      --source-addresses 127.0.0.1-127.0.0.4",
            "  ./stampede client --duration 1m --max-missed 0.1%% --max-errors 0  # CI gate",
        },
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            " 0:a clean stop (--duration over, or SIGTERM/Ctrl-C) within every --max-* threshold",
            " 1:could not start (a file, the metrics address), or an event loop failed",
            " 2:a bad option or config file (also: --check found one)",
            "99:a --max-* threshold failed (the summary's next line says which, with the measured value)",
            "130:a second SIGTERM/Ctrl-C during the clean stop",
        })
final class ClientCommand implements Callable<Integer> {
    /** File descriptors the JVM and the client need besides their sockets. */
    private static final int RESERVED_FDS = 64;

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--connections"}, paramLabel = "N", defaultValue = "50",
            description = "Connections to open (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "50ms", converter = DurationConverter.class,
            description = "Time between two sends of one connection (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--host", paramLabel = "HOST[:PORT][,HOST[:PORT]...]", defaultValue = "127.0.0.1",
            description = "The server, or several, comma separated, in order; IPv6 with a port in "
                    + "brackets: [::1]:5050. A host without a port takes --port. Connections are spread "
                    + "round robin and fail over to the next server (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, paramLabel = "PORT", defaultValue = "" + ServerConfig.DEFAULT_PORT,
            description = "Port of the servers given without one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "0", converter = DurationConverter.class,
            description = "How long to send, counted once the connections are up; then stop and exit 0 (99 past a --max-* threshold) "
                    + "(default: until stopped).")
    Duration duration;

    @Option(names = "--loops", paramLabel = "N|auto", defaultValue = "auto",
            description = "Event loops (threads) that share the connections: auto, or 1 to the number of connections; "
                    + "connection i runs on loop i mod N, with the same schedule as with one "
                    + "(default: ${DEFAULT-VALUE}: one loop per 50,000 sends a second, at most one per core: "
                    + "at 5,000 connections x 20/s on 2 cores shared with a server, one loop fell behind at the start "
                    + "and missed ticks in every run, two missed none in 35 of 41).")
    String loops;

    @Option(names = "--phase", paramLabel = "PHASE", defaultValue = "spread",
            description = "spread: connection i sends at i x interval / n, an even load; aligned: all at the "
                    + "same instant, so the server gets every value n times (default: ${DEFAULT-VALUE}).")
    Phase phase;

    @Option(names = "--replay", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "After a reconnect, send again what was sent in this last stretch of time; "
                    + "0 for none (default: ${DEFAULT-VALUE}).")
    Duration replay;

    @Option(names = "--no-acks", negatable = false,
            description = "Do not ask the servers for acknowledgements: after a reconnect send again only the last "
                    + "--replay, as with a server that does not acknowledge (default: every connection's first line "
                    + "asks for them, and values are kept until a server says they are durable).")
    boolean noAcks;

    @Option(names = "--unacked", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "Keep at least this stretch of each connection's sends while they are not acknowledged, "
                    + "to send them again after a reconnect or failover; past it the oldest are dropped and counted "
                    + "(dropped_unacked=). Memory: 2 bytes a value, rounded up to a power of two per connection: "
                    + "60s at 50ms is 4 KiB a connection, 20 MiB for 5,000 (default: ${DEFAULT-VALUE}).")
    Duration unacked;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "3s",
            converter = DurationConverter.class,
            description = "A connect not finished within this fails and is retried like a refused one; 0 waits "
                    + "for the kernel (minutes for a host that does not answer) (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--ack-timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "A server known to acknowledge (it has, on any connection) that sends nothing on a "
                    + "connection for this long is taken for dead or frozen: the connection closes and, with several "
                    + "--host, moves to the next server at once (ack_timeouts=). A server that never acknowledged is "
                    + "never judged by its silence. At least 2s, or 0 for never (default: ${DEFAULT-VALUE}).")
    Duration ackTimeout;

    @Option(names = "--record", paramLabel = "FILE",
            description = "Append every timestamp sent (once, replays not repeated) to FILE, one a line, "
                    + "for 'verify --expect'. Never truncated.")
    Path record;

    @Option(names = "--histogram-log", paramLabel = "FILE",
            description = "Write the send lateness (how late each send was against its schedule) to FILE as an "
                    + "HdrHistogram interval log (.hlog), in microseconds, one interval per --stats-interval "
                    + "(per second with -q); HdrHistogram's HistogramLogProcessor and HistogramLogAnalyzer read it. "
                    + "Written by a thread of its own; if the disk fails or stalls, the log stops and the sends go on. "
                    + "Truncated at start.")
    Path histogramLog;

    @Option(names = "--source-addresses", paramLabel = "ADDRS",
            description = "Bind connections round robin to these local addresses: a range "
                    + "127.0.0.1-127.0.0.4 or a comma list. One address reaches one server port from "
                    + "about 28,000 local ports; more addresses, more connections.")
    String sourceAddresses;

    @Option(names = {"-q", "--quiet"}, description = "No periodic status line; only warnings and the summary.")
    boolean quiet;

    @Option(names = "--stats-interval", paramLabel = "DURATION", defaultValue = "1s",
            converter = DurationConverter.class,
            description = "How often the status line goes to stderr; 0 for none (default: ${DEFAULT-VALUE}).")
    Duration statsInterval;

    @Mixin
    ClientThresholds thresholds = new ClientThresholds();

    @Mixin
    MetricsOption metrics = new MetricsOption();

    @Mixin
    LogOptions logging = new LogOptions();

    @Mixin
    ClientTlsOptions tls = new ClientTlsOptions();

    @Mixin
    ConfigOptions configFile = new ConfigOptions();

    /** The options with the config file applied; {@code null} before {@link #call}. */
    private EffectiveSettings settings;

    @Override
    public Integer call() throws Exception {
        try {
            settings = configFile.apply(spec);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
        final ClientConfig config = config();
        if (configFile.check) {
            try {
                ConfigOptions.checkWritable("--record", record);
                ConfigOptions.checkWritable("--histogram-log", histogramLog);
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
            try (AsyncLog log = AsyncLog.toStderr()) {
                return configFile.passed(settings, spec.commandLine().getOut(), log, "client");
            }
        }
        // Every line goes through the log, never straight to stderr: a stderr nobody reads must not
        // stop the event loop (nor the stop at the end).
        try (AsyncLog log = logging.open()) {
            warnIfTooFewFiles(config.connections(), log);
            final Lifecycle life = new Lifecycle("client", log);
            final LoadClient client;
            try {
                client = LoadClient.start(config, loops(config), log);
            } catch (IOException e) {
                // A file that cannot be opened says which option it is (LoadClient.start).
                final String why = e.getMessage();
                return life.failed("cannot start: " + (why != null && why.startsWith("--") ? why : e.toString()));
            }
            if (!life.serveMetrics(metrics, new ClientMetrics(client::stats), ReadinessChecks.running(client::isRunning),
                    client::stop)) {
                return Lifecycle.FAILED;
            }
            if (config.tls() != null) {
                life.onHangup(() -> reloadTls(config.tls(), log));
            }
            // The client also stops by itself, after --duration: a clean stop too, unless it failed.
            final ClientStats[] last = new ClientStats[1];
            life.awaitAndStop(client::isRunning, "stopping", () -> {
                last[0] = client.stop();
                return last[0].summaryLine();
            });
            if (client.failed()) {
                return Lifecycle.FAILED;
            }
            return thresholds.judge(last[0], log);
        }
    }

    /** The options as a config; a bad one is a usage error (exit 2) that says what is wrong. */
    ClientConfig config() {
        if (port < 1 || port > 65_535) {
            throw usage("--port must be 1 to 65535, not " + port);
        }
        try {
            final List<InetSocketAddress> servers = ServerAddresses.resolve(ServerAddresses.parse(host, port));
            final List<InetAddress> sources =
                    sourceAddresses == null ? List.of() : SourceAddresses.parse(sourceAddresses);
            final ClientConfig config = ClientConfig.builder()
                    .servers(servers)
                    .connections(connections)
                    .intervalMs(interval.toMillis())
                    .durationMs(duration.toMillis())
                    .phase(phase)
                    .replayMs(replay.toMillis())
                    .record(record)
                    .sourceAddresses(sources)
                    .statsIntervalMs(quiet ? 0 : statsInterval.toMillis())
                    .histogramLog(histogramLog)
                    .tls(tls.tls())
                    .acks(!noAcks)
                    .unackedMs(unacked.toMillis())
                    .connectTimeoutMs(connectTimeout.toMillis())
                    .ackTimeoutMs(ackTimeout.toMillis())
                    .build();
            loops(config);
            thresholds.thresholds();
            return config;
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** The number of loops {@code --loops} asks for ({@code auto}: {@link LoadClient#autoLoops} on this machine). */
    private int loops(ClientConfig config) {
        if ("auto".equals(loops)) {
            return LoadClient.autoLoops(config, Runtime.getRuntime().availableProcessors());
        }
        final int n;
        try {
            n = Integer.parseInt(loops);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--loops must be auto or 1 to the number of connections ("
                    + config.connections() + "), not '" + loops + "'");
        }
        LoadClient.checkLoops(n, config.connections());
        return n;
    }

    /** SIGHUP: the TLS files read again; the next connections use them (one log line either way). */
    private static void reloadTls(ClientTls tls, Consumer<String> log) {
        try {
            tls.reload();
            log.accept("client: SIGHUP: TLS reloaded (new connections use it; connections up keep theirs)");
        } catch (TlsSetupException e) {
            log.accept("client: SIGHUP: TLS: kept the old files: " + e.getMessage());
        }
    }

    /** Each connection is a file descriptor: say so up front rather than fail them one by one. */
    private static void warnIfTooFewFiles(int connections, Consumer<String> log) {
        final var os = ManagementFactory.getOperatingSystemMXBean();
        if (!(os instanceof com.sun.management.UnixOperatingSystemMXBean)) {
            return;
        }
        // HotSpot has already raised the soft limit to the hard one (-XX:+MaxFDLimit, the default).
        final long limit = ((com.sun.management.UnixOperatingSystemMXBean) os).getMaxFileDescriptorCount();
        if (connections + RESERVED_FDS > limit) {
            log.accept("client: warning: the open-files limit is " + limit + ", too low for " + connections
                    + " connections; raise it (ulimit -n), or the connections past it will keep failing");
        }
    }

    private ParameterException usage(String message) {
        return new ParameterException(spec.commandLine(), settings == null ? message : settings.annotate(message));
    }
}
