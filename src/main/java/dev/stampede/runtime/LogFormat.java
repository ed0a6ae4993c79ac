package dev.stampede.runtime;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * How a log line is written ({@code --log-format}): {@link #TEXT} for people, {@link #JSON} for
 * collectors. Both start from the time the line was logged (UTC, milliseconds) and its level.
 */
public enum LogFormat {
    /** {@code 2026-12-04T14:15:49.123Z INFO server: listening on ...}. */
    TEXT,
    /**
     * One JSON object a line: {@code {"time":"2026-12-04T14:15:49.123Z","level":"INFO","msg":"server:
     * ...","cmd":"server","conns":50,...}}: the whole line in {@code msg}, the word before its first
     * colon in {@code cmd}, and each {@code key=value} word of it as a field of its own (a number
     * where the value is one).
     */
    JSON;

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** {@code line}, logged at {@code epochMs} with {@code level}, in this format. */
    public String format(long epochMs, LogLevel level, String line) {
        final String time = TIME.format(java.time.Instant.ofEpochMilli(epochMs));
        return this == TEXT ? time + " " + level + " " + line : JsonLine.of(time, level, line);
    }
}
