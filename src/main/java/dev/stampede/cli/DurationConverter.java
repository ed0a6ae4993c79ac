package dev.stampede.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Parses command-line durations as the README writes them: {@code 500ms}, {@code 10s}, {@code 5m},
 * {@code 1h} (and {@code 0}). A bare number is refused with a hint, since "is 500 seconds or
 * milliseconds?" is exactly the mistake this tool exists to catch in others.
 */
public final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern FORMAT = Pattern.compile("(\\d{1,12})(ms|s|m|h)");

    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    /** Parses one duration; throws {@link TypeConversionException} with a helpful message. */
    public static Duration parse(String value) {
        final String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("0")) {
            return Duration.ZERO;
        }
        final Matcher m = FORMAT.matcher(v);
        if (!m.matches()) {
            final String hint = v.matches("\\d+") ? " (add a unit: " + v + "ms, " + v + "s, " + v + "m)" : "";
            throw new TypeConversionException("'" + value + "' is not a duration like 500ms, 10s, 5m or 1h" + hint);
        }
        final long n = Long.parseLong(m.group(1));
        switch (m.group(2)) {
            case "ms":
                return Duration.ofMillis(n);
            case "s":
                return Duration.ofSeconds(n);
            case "m":
                return Duration.ofMinutes(n);
            default:
                return Duration.ofHours(n);
        }
    }

    /** Writes a duration the way {@link #parse} reads it, in its largest whole unit. */
    public static String format(Duration d) {
        final long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1_000 == 0) {
            return ms / 1_000 + "s";
        }
        return ms + "ms";
    }
}
