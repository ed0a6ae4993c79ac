package dev.stampede.cli;

import dev.stampede.client.Thresholds;
import dev.stampede.stats.ClientStats;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The client's {@code --max-missed}, {@code --max-errors} and {@code --max-dropped}: limits that
 * make a run past them exit {@link #THRESHOLD_FAILED}, so that a CI job can gate on
 * {@code stampede client --duration D} (see {@link Thresholds}).
 */
final class ClientThresholds {
    /** Exit status: the run broke a {@code --max-*} threshold (99, as k6's). */
    static final int THRESHOLD_FAILED = 99;

    @Option(names = "--max-missed", paramLabel = "N|P%", converter = LimitConverter.class,
            description = "Exit " + THRESHOLD_FAILED + " if more ticks than this were missed over the run: a count, "
                    + "or a share of the scheduled ticks (sent + missed), e.g. 0.1%%. Off by default.")
    Thresholds.Limit maxMissed;

    @Option(names = "--max-errors", paramLabel = "N",
            description = "Exit " + THRESHOLD_FAILED + " if the servers sent more than N ERR lines (errors=). "
                    + "Off by default.")
    Long maxErrors;

    @Option(names = "--max-dropped", paramLabel = "N",
            description = "Exit " + THRESHOLD_FAILED + " if the client gave up on more than N values, never to "
                    + "send them again: dropped_unacked= (past --unacked) plus replay_dropped=. Off by default.")
    Long maxDropped;

    /**
     * The thresholds given.
     *
     * @throws IllegalArgumentException if a count is negative
     */
    Thresholds thresholds() {
        if (maxErrors != null && maxErrors < 0 || maxDropped != null && maxDropped < 0) {
            throw new IllegalArgumentException("--max-errors and --max-dropped must be 0 or more");
        }
        return new Thresholds(maxMissed, maxErrors == null ? -1 : maxErrors, maxDropped == null ? -1 : maxDropped);
    }

    /**
     * Judges the run's final figures: {@link Lifecycle#OK} within every threshold (said in one line
     * when there are any), else {@link #THRESHOLD_FAILED}, after one line per broken threshold.
     */
    int judge(ClientStats last, Consumer<String> log) {
        final Thresholds t = thresholds();
        if (!t.any()) {
            return Lifecycle.OK;
        }
        final List<String> failures = t.failures(last);
        if (failures.isEmpty()) {
            log.accept("client: thresholds passed");
            return Lifecycle.OK;
        }
        for (String f : failures) {
            log.accept("client: threshold failed: " + f);
        }
        return THRESHOLD_FAILED;
    }

    /** {@code --max-missed 10} or {@code --max-missed 0.5%}: a bad one is a usage error (exit 2). */
    static final class LimitConverter implements ITypeConverter<Thresholds.Limit> {
        @Override
        public Thresholds.Limit convert(String value) {
            try {
                return Thresholds.Limit.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
