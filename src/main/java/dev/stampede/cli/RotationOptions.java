package dev.stampede.cli;

import dev.stampede.store.Rotation;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --rotate}, {@code --retain}, {@code --repair-late} and {@code --compress}, shared by {@code server} and {@code merge}. */
final class RotationOptions {
    @Option(names = "--rotate", paramLabel = "DURATION", defaultValue = "0", converter = DurationConverter.class,
            description = "Cut the output at event-time multiples of DURATION (1s or more) since the epoch, UTC: "
                    + "the current window is the --output path itself (tail -F follows it), a closed one is "
                    + "renamed <output>.<yyyyMMdd'T'HHmmss'Z' of its start>; 0 for one file (default: ${DEFAULT-VALUE}).")
    Duration rotate;

    @Option(names = "--retain", paramLabel = "N", defaultValue = "0",
            description = "With --rotate: keep the newest N closed files, delete older ones, and the late "
                    + "file's segments (<output>.late.<start>) once their values' windows are deleted; 0 keeps all "
                    + "(default: ${DEFAULT-VALUE}).")
    int retain;

    @Option(names = "--repair-late",
            description = "With --rotate: merge each late value into its window's file (rewritten beside it, "
                    + "fsynced, renamed over it) at most once a second per window, on a thread of its own; "
                    + "a window that got late values while current gets them before its rename (hidden as "
                    + ".<output>.<start>.closing meanwhile); <output>.late and its segments stay the journal of "
                    + "late values, <output>.late.repaired says how far it is merged.")
    boolean repairLate;

    @Option(names = "--compress", paramLabel = "gzip",
            description = "With --rotate: gzip each closed window on a thread of its own, <output>.<start> becoming "
                    + "<output>.<start>.gz (written beside it, fsynced, renamed; then the plain one is deleted); "
                    + "verify reads .gz files as they are. Only gzip is known.")
    String compress;

    /** The rotation asked for, or {@code null}; a usage error (IllegalArgumentException) if wrong. */
    Rotation rotation() {
        if (rotate.isZero()) {
            if (retain != 0) {
                throw new IllegalArgumentException("--retain needs --rotate");
            }
            if (repairLate) {
                throw new IllegalArgumentException("--repair-late needs --rotate (late values are merged into "
                        + "closed window files; one growing file stays append-only)");
            }
            if (compress != null) {
                throw new IllegalArgumentException("--compress needs --rotate (only closed windows are compressed)");
            }
            return null;
        }
        if (compress != null && !compress.equals("gzip")) {
            throw new IllegalArgumentException("--compress: only gzip is known, not '" + compress + "'");
        }
        return new Rotation(rotate.toMillis(), retain, repairLate, compress != null);
    }
}
