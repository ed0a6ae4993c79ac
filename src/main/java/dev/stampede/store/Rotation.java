package dev.stampede.store;

import dev.stampede.format.Ascii;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * newest N closed files (0: all; a {@code .gz} window counts as one). With {@code repairLate}
 * ({@code --repair-late}), late values are merged into the closed files of their windows
 * ({@link LateRepair}). With {@code compress} ({@code --compress gzip}), a closed window becomes
 * {@code <name>.gz} ({@link WindowCompressor}); the closed files then mix both forms.
 *
 * @param periodMs D, at least 1 s
 * @param retain how many closed files to keep; 0 keeps all
 * @param repairLate merge late values into their closed windows
 * @param compress gzip each closed window
 */
public record Rotation(long periodMs, int retain, boolean repairLate, boolean compress) {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    /** A closed file's suffix; {@code -N} after it when the name was taken (a clock that stepped back). */
    private static final Pattern ROTATED = Pattern.compile("\\.\\d{8}T\\d{6}Z(-\\d+)?(\\.gz)?");
    /** The suffix of a compressed closed window. */
    public static final String GZ = ".gz";

    /** Validates the ranges. */
    public Rotation {
        if (periodMs < 1_000) {
            throw new IllegalArgumentException("--rotate must be at least 1s");
        }
        if (retain < 0) {
            throw new IllegalArgumentException("--retain must be 0 (keep all) or more");
        }
    }

    /** A rotation without late repair or compression. */
    public Rotation(long periodMs, int retain) {
        this(periodMs, retain, false, false);
    }

    /** A rotation without compression. */
    public Rotation(long periodMs, int retain, boolean repairLate) {
        this(periodMs, retain, repairLate, false);
    }

    /** The start of the window that holds {@code value}. */
    public long windowStart(long value) {
        return Math.floorDiv(value, periodMs) * periodMs;
    }

    /** The name a closed window starting at {@code startMs} gets. */
    public static Path closedName(Path output, long startMs) {
        return output.resolveSibling(output.getFileName() + "." + STAMP.format(Instant.ofEpochMilli(startMs)));
    }

    /** Whether {@code file} is a compressed window (its name ends in {@code .gz}). */
    public static boolean isCompressed(Path file) {
        return file.getFileName().toString().endsWith(GZ);
    }

    /** The compressed name of a plain closed window. */
    public static Path gzOf(Path plain) {
        return plain.resolveSibling(plain.getFileName() + GZ);
    }

    /** A closed window's name without {@code .gz}: its window, whatever its form. */
    static String windowName(Path file) {
        final String name = file.getFileName().toString();
        return name.endsWith(GZ) ? name.substring(0, name.length() - GZ.length()) : name;
    }

    /**
     * The closed files of {@code output}, oldest first (their names without {@code .gz} sort by
     * time). A window is listed once: when a compression a crash cut short left both its plain
     * file and its (whole, fsynced before its rename) {@code .gz}, the {@code .gz}, which is what
     * {@link WindowCompressor#recover} keeps.
     */
    public static List<Path> closedFiles(Path output) throws IOException {
        final Path dir = output.toAbsolutePath().getParent();
        final String prefix = output.getFileName().toString() + ".";
        final java.util.TreeMap<String, Path> byWindow = new java.util.TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            files.filter(p -> {
                final String name = p.getFileName().toString();
                return name.startsWith(prefix)
                        && ROTATED.matcher(name.substring(prefix.length() - 1)).matches();
            }).forEach(p -> byWindow.merge(windowName(p), p, (a, b) -> isCompressed(a) ? a : b));
        }
        return new ArrayList<>(byWindow.values());
    }

    /** The window of {@code file}'s first line (the file at the output path), or MIN_VALUE if it holds none. */
    long windowOfFirstLine(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Long.MIN_VALUE;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            final ByteBuffer b = ByteBuffer.allocate(Ascii.MAX_LINE);
            ch.read(b, 0);
            long acc = 0;
            for (int i = 0; i < b.position(); i++) {
                final byte c = b.get(i);
                if (c == '\n') {
                    return i == 0 ? Long.MIN_VALUE : windowStart(acc);
                }
                acc = acc * 10 + Ascii.digit(c);
            }
            return Long.MIN_VALUE;
        } catch (NoSuchFileException e) {
            return Long.MIN_VALUE; // between a rotation's rename and the new file
        }
    }

    /** The start of a closed file's window, from its name. */
    static long startOf(Path output, Path closedFile) {
        final String name = closedFile.getFileName().toString();
        final String stamp = name.substring(output.getFileName().toString().length() + 1,
                output.getFileName().toString().length() + 16);
        return java.time.LocalDateTime.parse(stamp, java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"))
                .toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
    }

    /** Deletes the oldest closed files beyond {@link #retain}; returns how many. */
    int prune(Path output) throws IOException {
        if (retain == 0) {
            return 0;
        }
        final List<Path> closed = closedFiles(output);
        int deleted = 0;
        for (int i = 0; i < closed.size() - retain; i++) {
            final Path p = closed.get(i);
            Files.deleteIfExists(p);
            // The other form too, if a cut-short compression left it (the .gz is listed, not the plain)
            Files.deleteIfExists(isCompressed(p) ? p.resolveSibling(windowName(p)) : gzOf(p));
            deleted++;
        }
        return deleted;
    }
}
