package dev.stampede.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The names of the files that go with an output file: its late file ({@code <output>.late}). The
 * store writes them, the publisher and {@code verify} read them, the commands name them; this class
 * is the one place that says what they are called.
 */
public final class OutputFiles {
    /** Suffix of the late file, next to the output file. */
    public static final String LATE_SUFFIX = ".late";

    /** A late segment's suffix after the late file's name: the start of the window it closed with. */
    private static final Pattern SEGMENT = Pattern.compile("\\.\\d{8}T\\d{6}Z(-\\d+)?");

    private OutputFiles() {}

    /**
     * The closed segments of {@code outputFile}'s late file under {@code --rotate}
     * ({@code <output>.late.<yyyyMMdd'T'HHmmss'Z'>}), in arrival order (by name); none without.
     */
    public static List<Path> lateSegments(Path outputFile) throws IOException {
        final Path late = latePath(outputFile).toAbsolutePath();
        final String prefix = late.getFileName().toString();
        try (Stream<Path> files = Files.list(late.getParent())) {
            return files.filter(p -> {
                final String name = p.getFileName().toString();
                return name.startsWith(prefix) && SEGMENT.matcher(name.substring(prefix.length())).matches();
            }).sorted().toList();
        }
    }

    /** The late file that goes with {@code outputFile}. */
    public static Path latePath(Path outputFile) {
        return outputFile.resolveSibling(outputFile.getFileName() + LATE_SUFFIX);
    }
}
