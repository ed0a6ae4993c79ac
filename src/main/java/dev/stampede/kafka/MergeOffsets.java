package dev.stampede.kafka;

import dev.stampede.journal.DurableFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where the merge stands in each partition, kept beside its output ({@code <output>.offsets}):
 * for every partition, the offset of the first record whose values may not all be in the output
 * yet. Written (to a temporary file, then renamed over the old one) only after the output has
 * been written and synced up to that point, so that a restarted merge that reads the partitions
 * from these offsets loses nothing; what it reads again that the output already has is dropped
 * as a duplicate (the duplicate filter is seeded from the output's tail).
 */
final class MergeOffsets {
    private static final String HEADER = "# stampede merge offsets v1 topic=";

    private final Path path;
    private final String topic;
    private final DurableFiles.Fsync fsync;

    MergeOffsets(Path output, String topic) {
        this(output, topic, DurableFiles.REAL);
    }

    /** With the fsyncs through {@code fsync} (tests). */
    MergeOffsets(Path output, String topic, DurableFiles.Fsync fsync) {
        this.path = output.resolveSibling(output.getFileName() + ".offsets");
        this.topic = topic;
        this.fsync = fsync;
    }

    /** The file. */
    Path path() {
        return path;
    }

    /**
     * The saved offsets by partition; empty if there are none yet.
     *
     * @throws IOException if the file is for another topic or unreadable
     */
    Map<Integer, Long> load() throws IOException {
        final List<String> lines;
        try {
            lines = Files.readAllLines(path, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return Map.of();
        }
        if (lines.isEmpty() || !lines.get(0).equals(HEADER + topic)) {
            throw new IOException(path + " is not the offsets file of a merge of topic " + topic
                    + " (first line: " + (lines.isEmpty() ? "none" : "'" + lines.get(0) + "'") + ")");
        }
        final Map<Integer, Long> offsets = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            final String[] f = line.trim().split(" ");
            try {
                offsets.put(Integer.parseInt(f[0]), Long.parseLong(f[1]));
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IOException(path + ": not a 'partition offset' line: '" + line + "'", e);
            }
        }
        return offsets;
    }

    /** Replaces the saved offsets with {@code offsets[p]} for each partition p. */
    void save(long[] offsets, int partitions) throws IOException {
        final StringBuilder b = new StringBuilder(HEADER).append(topic).append('\n');
        for (int p = 0; p < partitions; p++) {
            b.append(p).append(' ').append(offsets[p]).append('\n');
        }
        // fsynced before and after the rename: a power loss leaves the old offsets or the new, never an empty file
        DurableFiles.writeAtomically(path, b, fsync);
    }
}
