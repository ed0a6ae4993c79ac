package dev.stampede.client;

import dev.stampede.stats.ClientStats;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The pass/fail limits of a client run ({@code --max-missed}, {@code --max-errors},
 * {@code --max-dropped}), so that a CI job can gate on {@code stampede client --duration D}: judged
 * once, on the final figures, like k6's thresholds. Immutable.
 *
 * @param maxMissed ticks missed at most, as a count or a share of the scheduled ticks; {@code null}
 *     for no limit
 * @param maxErrors {@code ERR} (or other) lines from the servers at most; negative for no limit
 * @param maxDropped values the client gave up on at most (never to be sent again: dropped while
 *     unacknowledged past {@code --unacked}, or waiting for a replay); negative for no limit
 */
public record Thresholds(Limit maxMissed, long maxErrors, long maxDropped) {
    /** No limit at all: every run passes. */
    public static final Thresholds NONE = new Thresholds(null, -1, -1);

    /** Whether any limit is set. */
    public boolean any() {
        return maxMissed != null || maxErrors >= 0 || maxDropped >= 0;
    }

    /**
     * The limits the run broke, each as {@code key=measured > --option limit}; empty if it passed.
     *
     * @param s the run's final figures (the summary's)
     */
    public List<String> failures(ClientStats s) {
        final List<String> out = new ArrayList<>(3);
        if (maxMissed != null) {
            final long scheduled = s.sent() + s.missed();
            if (!maxMissed.allows(s.missed(), scheduled)) {
                out.add("missed=" + s.missed() + " (" + Limit.percent(s.missed(), scheduled) + " of " + scheduled
                        + " ticks) > --max-missed " + maxMissed);
            }
        }
        if (maxErrors >= 0 && s.errors() > maxErrors) {
            out.add("errors=" + s.errors() + " > --max-errors " + maxErrors);
        }
        final long dropped = s.acks().droppedUnacked() + s.replayDropped();
        if (maxDropped >= 0 && dropped > maxDropped) {
            out.add("dropped_unacked+replay_dropped=" + dropped + " > --max-dropped " + maxDropped);
        }
        return out;
    }

    /**
     * A limit written {@code N} (a count) or {@code P%} (a share of a total, 0 to 100, decimals
     * allowed).
     *
     * @param count the count, or -1 for a share
     * @param percent the share in percent, when {@code count} is -1
     */
    public record Limit(long count, double percent) {
        /** Validates. */
        public Limit {
            if (count < -1 || (count == -1 && !(percent >= 0 && percent <= 100))) {
                throw new IllegalArgumentException("a limit is N (0 or more) or P% (0 to 100)");
            }
        }

        /**
         * Parses {@code 10} or {@code 0.5%}.
         *
         * @throws IllegalArgumentException saying what is expected
         */
        public static Limit parse(String value) {
            final String v = value.trim();
            try {
                if (v.endsWith("%")) {
                    final double p = Double.parseDouble(v.substring(0, v.length() - 1));
                    if (p >= 0 && p <= 100) {
                        return new Limit(-1, p);
                    }
                } else if (v.matches("\\d{1,18}")) {
                    return new Limit(Long.parseLong(v), 0);
                }
            } catch (NumberFormatException e) {
                // said below
            }
            throw new IllegalArgumentException("'" + value + "' is not a count (10) or a percentage (0.5%)");
        }

        /** Whether {@code value} out of {@code total} is within the limit. */
        public boolean allows(long value, long total) {
            if (count >= 0) {
                return value <= count;
            }
            return total == 0 || value * 100.0 / total <= percent;
        }

        /** {@code value} out of {@code total} as a percentage, for the messages. */
        static String percent(long value, long total) {
            return total == 0 ? "0%" : String.format(Locale.ROOT, "%.3g%%", value * 100.0 / total);
        }

        @Override
        public String toString() {
            if (count >= 0) {
                return Long.toString(count);
            }
            final String p = String.format(Locale.ROOT, "%s", percent);
            return (p.endsWith(".0") ? p.substring(0, p.length() - 2) : p) + "%";
        }
    }
}
