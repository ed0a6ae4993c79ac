package dev.stampede.cli;

import dev.stampede.runtime.AsyncLog;
import dev.stampede.runtime.LogFormat;
import dev.stampede.runtime.LogLevel;
import dev.stampede.client.ClientConfig;
import dev.stampede.client.LoadClient;
import dev.stampede.client.Phase;
import dev.stampede.server.IngestServer;
import dev.stampede.server.ServerConfig;
import dev.stampede.stats.ClientStats;
import dev.stampede.stats.ServerStats;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./stampede demo}: the first thing a newcomer runs. A server on a free loopback port and
 * a client in the same process, their live stats, then a clean stop and {@code verify}.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Run a server and a client for 10 s, then verify the file.",
            "",
            "Starts a server on a free port of 127.0.0.1 writing to a new folder, and a client with "
                    + "50 connections sending the time every 50 ms for 10 s, showing the live stats of "
                    + "both; then stops both cleanly and checks the file: ascending, unique, and holding "
                    + "every timestamp the client sent.",
        },
        footer = {"", "Example:", "  ./stampede demo -c 500 --duration 30s"})
final class DemoCommand implements Callable<Integer> {
    @Option(names = {"-c", "--connections"}, paramLabel = "N", defaultValue = "50",
            description = "Client connections (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long the client sends (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--interval", paramLabel = "DURATION", defaultValue = "50ms", converter = DurationConverter.class,
            description = "Time between two sends of one connection (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--phase", paramLabel = "PHASE", defaultValue = "spread",
            description = "spread or aligned (aligned: every value sent by every connection, for the server "
                    + "to deduplicate) (default: ${DEFAULT-VALUE}).")
    Phase phase;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Folder for the output (created; default: a new folder under the temp dir).")
    Path dir;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception {
        if (duration.isZero() || connections < 1) {
            System.err.println(LogFormat.TEXT.format(System.currentTimeMillis(), LogLevel.ERROR,
                    "demo: --duration and --connections must be positive"));
            return Lifecycle.USAGE;
        }
        final Path folder = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("stampede-demo-");
        final Path output = folder.resolve("timestamps.txt");
        final Path sent = folder.resolve("sent.txt");
        out.println("demo: a server on 127.0.0.1, writing " + output);
        out.printf(Locale.ROOT, "demo: a client with %d connections, one timestamp every %s each, for %s%n",
                connections, DurationConverter.format(interval), DurationConverter.format(duration));
        out.println("demo: live stats every second (server: and client: lines), on stderr");
        out.println();

        final ClientStats clientStats;
        final ServerStats serverStats;
        // Every stderr line goes through the log: a stderr nobody reads must not stop either event
        // loop. Closed (drained, within 2 s) before the report, so that it comes after the summaries.
        try (AsyncLog log = AsyncLog.toStderr()) {
            final Lifecycle life = new Lifecycle("demo", log);
            final IngestServer server = IngestServer.start(serverConfig(output), log);
            try (LoadClient client = LoadClient.start(clientConfig(server.port(), sent), log)) {
                life.await(client::isRunning); // the client stops by itself after --duration
                clientStats = client.stop();
            } catch (IOException e) {
                server.stop();
                log.accept("demo: client failed: " + e);
                return Lifecycle.FAILED;
            }
            serverStats = server.stop();
            log.accept(clientStats.summaryLine());
            log.accept(serverStats.summaryLine());
        }
        final VerifyResult verified = new FileVerifier(false, null).verify(output, List.of(sent));
        report(clientStats, serverStats, verified, output);
        return verified.ok() ? Lifecycle.OK : Lifecycle.FAILED;
    }

    /** The server as {@code ./stampede server} would run it, on a free port and with 1 s stats. */
    private static ServerConfig serverConfig(Path output) throws IOException {
        final ServerCommand server = new ServerCommand();
        Main.configure(new CommandLine(server)).parseArgs("--port", "0", "--output", output.toString(), "--stats-interval", "1s");
        return server.config();
    }

    /** The client as {@code ./stampede client} would run it, with this demo's options. */
    private ClientConfig clientConfig(int port, Path sent) {
        final ClientCommand client = new ClientCommand();
        Main.configure(new CommandLine(client)).parseArgs("--port", String.valueOf(port), "--connections", String.valueOf(connections),
                "--interval", DurationConverter.format(interval), "--duration", DurationConverter.format(duration),
                "--phase", phase.name(), "--record", sent.toString());
        return client.config();
    }

    private void report(ClientStats client, ServerStats server, VerifyResult v, Path output) {
        out.println();
        out.printf(Locale.ROOT, "  timestamps sent     %,d  (%d connections, missed ticks: %d)%n", client.sent(),
                connections, client.missed());
        out.printf(Locale.ROOT, "  lines written       %,d%n", server.written());
        out.printf(Locale.ROOT, "  duplicates removed  %,d  (%s)%n", server.dups(), phase == Phase.ALIGNED
                ? "every connection sends the same instants" : "values two connections sent in the same ms");
        out.printf(Locale.ROOT, "  late                %,d%n", server.late());
        out.printf(Locale.ROOT, "  rejected lines      %,d%n", server.invalid());
        out.println();
        out.println(v.render());
        out.println();
        out.println("The file: " + output);
        out.println("Next: run './stampede server' and './stampede client' in two terminals, and watch");
        out.println("the file grow with:  tail -f timestamps.txt");
    }
}
