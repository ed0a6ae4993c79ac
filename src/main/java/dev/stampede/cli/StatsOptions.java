package dev.stampede.cli;

import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * {@code --stats-interval} and {@code --quiet} of {@code server} and {@code merge}: the periodic
 * stats line on stderr. (The client has its own pair: a status line every second by default.)
 */
final class StatsOptions {
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
}
