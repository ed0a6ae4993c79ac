package dev.stampede.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Timestamps as the lines of a file, for tests of the files: expected lines, and files written whole. */
public final class ValueLines {
    private ValueLines() {
    }

    /** The values as the lines a file holds, in the order given. */
    public static List<String> lines(long... values) {
        final List<String> l = new ArrayList<>();
        for (long v : values) {
            l.add(String.valueOf(v));
        }
        return l;
    }

    /** Writes {@code file} whole: one line per value, each ended by a newline. */
    public static void write(Path file, long... values) throws IOException {
        final StringBuilder b = new StringBuilder();
        for (long v : values) {
            b.append(v).append('\n');
        }
        Files.writeString(file, b);
    }
}
