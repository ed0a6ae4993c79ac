package dev.stampede.format;

import java.nio.file.Path;

/**
 * The names of the files that go with an output file: its late file ({@code <output>.late}). The
 * store writes them, the publisher and {@code verify} read them, the commands name them; this class
 * is the one place that says what they are called.
 */
public final class OutputFiles {
    /** Suffix of the late file, next to the output file. */
    public static final String LATE_SUFFIX = ".late";

    private OutputFiles() {}

    /** The late file that goes with {@code outputFile}. */
    public static Path latePath(Path outputFile) {
        return outputFile.resolveSibling(outputFile.getFileName() + LATE_SUFFIX);
    }
}
