package dev.stampede.runtime;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The level of one of stampede's log lines. The lines are plain sentences handed to a
 * {@code Consumer<String>} by every package, so the level is read from their words
 * ({@link #of}), one rule for all: a line that says something failed or cannot be done is an
 * {@link #ERROR}; one that warns, drops, skips or retries is a {@link #WARN}; the rest (startup,
 * stats, summaries, recoveries) is {@link #INFO}. Only words count, not {@code key=value} fields
 * ({@code replies_dropped=0} says nothing is wrong). A caller that knows better says so with
 * {@link AsyncLog#log(LogLevel, String)}.
 */
public enum LogLevel {
    /** What happens: startup, stats lines, summaries, recoveries. */
    INFO,
    /** Something is off but handled: a warning, a retry, lines or records dropped or skipped. */
    WARN,
    /** Something failed: writes failing, a failed start, a failed loop. */
    ERROR;

    private static final Pattern KEY_VALUE = Pattern.compile("\\S+=\\S*");
    private static final String[] ERROR_WORDS = {"failed", "cannot ", "could not", "error:"};
    private static final String[] WARN_WORDS = {"warning", "dropped", "skipped", "retrying", "not shown",
        "sighup", "second signal", "unfinished line", "does not hold", "stopped before", " closed: ", "lost"};

    /** The level of {@code line}, from its words (see the class comment). */
    public static LogLevel of(String line) {
        final String l = line.toLowerCase(Locale.ROOT);
        if (l.contains("warning")) {
            return WARN; // "client: warning: ... will keep failing" is a warning, not a failure
        }
        if (l.contains(" writes=failing")) {
            return WARN; // a stats line while writes fail: the failure itself was said as an error
        }
        final String words = KEY_VALUE.matcher(l).replaceAll(""); // replies_dropped=0 drops nothing
        for (String w : ERROR_WORDS) {
            if (words.contains(w)) {
                return ERROR;
            }
        }
        for (String w : WARN_WORDS) {
            if (words.contains(w)) {
                return WARN;
            }
        }
        return INFO;
    }
}
