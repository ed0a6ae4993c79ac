package dev.stampede.cli;

import dev.stampede.store.FsyncPolicy;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --fsync} and {@code --fsync-interval}, shared by the commands that write an ordered file:
 * {@code server} and {@code merge}.
 */
final class FsyncOptions {
    @Option(names = "--fsync", paramLabel = "POLICY", defaultValue = "interval",
            description = "When written lines are forced to disk: always (every write), interval "
                    + "(every --fsync-interval) or never (left to the OS); always once at a clean stop "
                    + "(default: ${DEFAULT-VALUE}).")
    FsyncPolicy policy;

    @Option(names = "--fsync-interval", paramLabel = "DURATION", defaultValue = "1s",
            converter = DurationConverter.class,
            description = "The interval of --fsync interval (default: ${DEFAULT-VALUE}).")
    Duration interval;

    /** The fsync policy as the startup line shows it. */
    String policyName() {
        return policy.name().toLowerCase(java.util.Locale.ROOT);
    }
}
