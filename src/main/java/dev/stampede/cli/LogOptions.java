package dev.stampede.cli;

import dev.stampede.runtime.AsyncLog;
import dev.stampede.runtime.LogFormat;
import picocli.CommandLine.Option;

/** {@code --log-format text|json} of {@code server}, {@code client} and {@code merge}: how stderr lines look. */
final class LogOptions {
    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
            description = "How log lines on stderr look: text (a time, a level, the line) or json (one object "
                    + "a line for log collectors: time, level, msg, and each key=value of the line as a field) "
                    + "(default: ${DEFAULT-VALUE}).")
    LogFormat format = LogFormat.TEXT;

    /** The program's non-blocking log on stderr, in this format. */
    AsyncLog open() {
        return AsyncLog.toStderr(format);
    }
}
