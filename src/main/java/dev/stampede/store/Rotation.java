package dev.stampede.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Event-time rotation of an output file ({@code --rotate D --retain N}): the file is cut at
 * multiples of D since the epoch (UTC). The current window is written to the output path itself;
 * a closed window is renamed {@code <output>.<yyyyMMdd'T'HHmmss'Z' of its start>}, so the closed
 * files sorted by name, then the current one, are one ordered stream. {@code retain} keeps the
 * newest N closed files (0: all). With {@code repairLate} ({@code --repair-late}), late values are
 * merged into the closed files of their windows ({@link LateRepair}).
 *
 * @param periodMs D, at least 1 s
 * @param retain how many closed files to keep; 0 keeps all
 * @param repairLate merge late values into their closed windows
 */
public record Rotation(long periodMs, int retain, boolean repairLate) {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** A closed file's suffix; {@code -N} after it when the name was taken (a clock that stepped back). */
    private static final Pattern ROTATED = Pattern.compile("\\.\\d{8}T\\d{6}Z(-\\d+)?");

    /** Validates the ranges. */
    public Rotation {
        if (periodMs < 1_000) {
            throw new IllegalArgumentException("--rotate must be at least 1s");
        }
        if (retain < 0) {
            throw new IllegalArgumentException("--retain must be 0 (keep all) or more");
        }
    }

    /** A rotation without late repair. */
    public Rotation(long periodMs, int retain) {
        this(periodMs, retain, false);
    }

    /** The start of the window that holds {@code value}. */
    public long windowStart(long value) {
        return Math.floorDiv(value, periodMs) * periodMs;
    }

    /** The name a closed window starting at {@code startMs} gets. */
    public static Path closedName(Path output, long startMs) {
        return output.resolveSibling(output.getFileName() + "." + STAMP.format(Instant.ofEpochMilli(startMs)));
    }

    /** The closed files of {@code output}, oldest first (their names sort by time). */
    public static List<Path> closedFiles(Path output) throws IOException {
        final Path dir = output.toAbsolutePath().getParent();
        final String prefix = output.getFileName().toString() + ".";
        final List<Path> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> {
                final String name = p.getFileName().toString();
                return name.startsWith(prefix)
                        && ROTATED.matcher(name.substring(prefix.length() - 1)).matches();
            }).sorted().forEach(out::add);
        }
        return out;
    }

    /** Deletes the oldest closed files beyond {@link #retain}; returns how many. */
    int prune(Path output) throws IOException {
        if (retain == 0) {
            return 0;
        }
        final List<Path> closed = closedFiles(output);
        int deleted = 0;
        for (int i = 0; i < closed.size() - retain; i++) {
            Files.deleteIfExists(closed.get(i));
            deleted++;
        }
        return deleted;
    }
}
