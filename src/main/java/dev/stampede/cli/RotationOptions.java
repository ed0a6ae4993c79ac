package dev.stampede.cli;

import dev.stampede.store.Rotation;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --rotate} and {@code --retain}, shared by {@code server} and {@code merge}. */
final class RotationOptions {
    @Option(names = "--rotate", paramLabel = "DURATION", defaultValue = "0", converter = DurationConverter.class,
            description = "Cut the output at event-time multiples of DURATION (1s or more) since the epoch, UTC: "
                    + "the current window is the --output path itself (tail -F follows it), a closed one is "
                    + "renamed <output>.<yyyyMMdd'T'HHmmss'Z' of its start>; 0 for one file (default: ${DEFAULT-VALUE}).")
    Duration rotate;

    @Option(names = "--retain", paramLabel = "N", defaultValue = "0",
            description = "With --rotate: keep the newest N closed files, delete older ones; 0 keeps all "
                    + "(default: ${DEFAULT-VALUE}).")
    int retain;

    /** The rotation asked for, or {@code null}; a usage error (IllegalArgumentException) if wrong. */
    Rotation rotation() {
        if (rotate.isZero()) {
            if (retain != 0) {
                throw new IllegalArgumentException("--retain needs --rotate");
            }
            return null;
        }
        return new Rotation(rotate.toMillis(), retain);
    }
}
