package dev.stampede.cli;

import dev.stampede.metrics.ReadinessChecks;
import dev.stampede.format.OutputFiles;
import dev.stampede.runtime.AsyncLog;
import dev.stampede.kafka.MergeConfig;
import dev.stampede.kafka.Merger;
import dev.stampede.metrics.MergeMetrics;
import dev.stampede.journal.FileFormatException;
import dev.stampede.journal.FileLockedException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ./stampede merge}: the nodes' partitions into one global file. */
@Command(
        name = "merge",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Merge the partitions of several servers into one ordered, unique file.",
            "",
            "Servers started with --kafka --topic --node N publish their final values to partition N "
                    + "of the topic. The merge reads every partition and writes a value once every live "
                    + "node's watermark has passed it. A node that publishes no value for --idle-timeout, or "
                    + "that said it is leaving, stops holding the file back; what it publishes later below the "
                    + "merged watermark goes to <output>.late. Values two nodes sent are written once.",
            "",
            "The file has the guarantees of a server's file (ascending, unique, torn line repaired, "
                    + "locked, fsync policy); 'verify' checks it. A restarted merge continues where its file "
                    + "ends, from <output>.offsets. SIGTERM or Ctrl-C stops cleanly, exit 0.",
        },
        footer = {
            "",
            "Examples:",
            "  ./stampede merge --kafka 127.0.0.1:9092 --topic stampede -o global.txt",
            "  ./stampede merge --kafka 127.0.0.1:9092 --topic stampede --metrics 9402",
            "",
            "See docs/SCALE-OUT.md.",
        })
final class MergeCommand implements Callable<Integer> {
    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Mixin
    FsyncOptions fsync = new FsyncOptions();

    @Mixin
    StatsOptions stats = new StatsOptions();

    @Mixin
    RotationOptions rotation = new RotationOptions();

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", defaultValue = "global.txt",
            description = "The global file, created if missing, never truncated (default: ${DEFAULT-VALUE}).")
    Path output;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "2s", converter = DurationConverter.class,
            description = "A node that publishes no value this long (no clients, or gone; its partition read "
                    + "to the end) stops holding the file back, like a silent connection at a server "
                    + "(default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Mixin
    MetricsOption metrics = new MetricsOption();

    @Mixin
    LogOptions logging = new LogOptions();

    @Mixin
    ConfigOptions configFile = new ConfigOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try (AsyncLog log = logging.open()) {
            return run(log);
        }
    }

    /** The options as a config; a usage error (IllegalArgumentException) if one is wrong. */
    MergeConfig config() throws IOException {
        return MergeConfig.builder()
                .kafka(kafka.settings("merge"))
                .output(output)
                .idleTimeoutMs(idleTimeout.toMillis())
                .fsync(fsync.policy)
                .fsyncIntervalMs(fsync.interval.toMillis())
                .statsIntervalMs(stats.statsIntervalMs())
                .rotation(rotation.rotation())
                .build();
    }

    private int run(AsyncLog log) throws Exception {
        final Lifecycle life = new Lifecycle("merge", log);
        final EffectiveSettings settings;
        try {
            settings = configFile.apply(spec);
        } catch (IllegalArgumentException e) {
            return life.usage(e.getMessage());
        }
        final MergeConfig config;
        try {
            config = config();
            if (configFile.check) {
                ConfigOptions.checkWritable("--output", output);
                ConfigOptions.checkWritable("--output", OutputFiles.latePath(output));
            }
        } catch (IllegalArgumentException e) {
            return life.usage(settings.annotate(e.getMessage()));
        } catch (IOException e) {
            return life.usage(settings.annotate("--kafka-config " + kafka.config + ": " + e.getMessage()));
        }
        if (configFile.check) {
            return configFile.passed(settings, spec.commandLine().getOut(), log, "merge");
        }
        final Merger merger;
        try {
            merger = Merger.start(config, log);
        } catch (FileFormatException | FileLockedException e) {
            return life.failed(e.getMessage());
        } catch (IOException e) {
            return life.failed("cannot start: " + e.getMessage());
        }
        log.accept("merge: " + config.kafka().topic() + " at " + config.kafka().bootstrap() + " -> "
                + output.toAbsolutePath() + " (idle-timeout=" + DurationConverter.format(idleTimeout)
                + " fsync=" + fsync.policyName() + ")");
        if (!life.serveMetrics(metrics, new MergeMetrics(merger::stats), ReadinessChecks.all(
                ReadinessChecks.running(merger::isRunning), ReadinessChecks.merge(merger::stats)), merger::stop)) {
            return Lifecycle.FAILED;
        }
        life.ready("merging " + config.kafka().topic() + " into " + output.getFileName());
        final boolean signalled = life.awaitAndStop(merger::isRunning, "saving what is final, then exiting",
                () -> merger.stop().summaryLine());
        return Lifecycle.untilSignalled(signalled);
    }
}
