package dev.stampede.cli;

import dev.stampede.store.FsyncPolicy;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options of a command that writes an ordered file and reports on stderr, shared by
 * {@code server} and {@code merge}: the fsync policy and the stats line.
 */
final class FileOptions {
    @Option(names = "--fsync", paramLabel = "POLICY", defaultValue = "interval",
            description = "When written lines are forced to disk: always (every write), interval "
                    + "(every --fsync-interval) or never (left to the OS); always once at a clean stop "
                    + "(default: ${DEFAULT-VALUE}).")
    FsyncPolicy fsync;

    @Option(names = "--fsync-interval", paramLabel = "DURATION", defaultValue = "1s",
            converter = DurationConverter.class,
            description = "The interval of --fsync interval (default: ${DEFAULT-VALUE}).")
    Duration fsyncInterval;

    @Option(names = "--stats-interval", paramLabel = "DURATION", defaultValue = "5s",
            converter = DurationConverter.class,
            description = "How often a stats line goes to stderr; 0 for none (default: ${DEFAULT-VALUE}).")
    Duration statsInterval;

    @Option(names = {"-q", "--quiet"}, description = "No periodic stats; only warnings and the summary.")
    boolean quiet;

    /** The stats interval in ms; 0 with {@code --quiet}. */
    long statsIntervalMs() {
        return quiet ? 0 : statsInterval.toMillis();
    }

    /** The fsync policy as the startup line shows it. */
    String fsyncName() {
        return fsync.name().toLowerCase(java.util.Locale.ROOT);
    }
}
