package dev.stampede.cli;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;

/**
 * Reads {@code --read-batch}: {@code auto} (the adaptive 1-ms pause, returned as {@code null}) or a
 * duration ({@link DurationConverter}), a fixed pause between polls.
 */
public final class ReadBatchConverter implements ITypeConverter<Duration> {
    /** The word for the adaptive default. */
    public static final String AUTO = "auto";

    @Override
    public Duration convert(String value) {
        return value.trim().toLowerCase(Locale.ROOT).equals(AUTO) ? null : DurationConverter.parse(value);
    }
}
