package dev.stampede.store;

import dev.stampede.journal.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * {@code --repair-late}: a window that got late values while it was the current one closes under a
 * hidden name, {@code .<output>.<start>.closing}, instead of its closed name; the repair thread
 * merges those values into it and only then renames it to its closed name ({@link #finish}). So a
 * reader of the closed files never sees that window without them. A window without such values
 * closes under its closed name at once, as before. The writer's rename to the hidden name is the
 * same fsynced rename as any rotation's: the event loop and the writer wait for nothing more.
 *
 * <p>Steps of {@link #finish}: the late values merged into the hidden file in place
 * ({@link WindowRewrite}: {@code .closing.tmp} written, fsynced, renamed over it), then the hidden
 * file renamed to its closed name, the directory fsynced. A crash anywhere leaves the hidden file
 * whole (merged or not) and never both it and a closed file of its merge; {@link #recover}, at the
 * next start, deletes a {@code .tmp} and renames each hidden file to its closed name, where the
 * repair merges whatever it lacks (idempotently: a value it holds already is dropped).
 */
final class WindowClosing {
    /** The hidden name's suffix. */
    static final String SUFFIX = ".closing";

    private WindowClosing() {}

    /** The hidden name of the window starting at {@code start} while its late values are merged. */
    static Path name(Path output, long start) {
        return output.resolveSibling("." + Rotation.closedName(output, start).getFileName() + SUFFIX);
    }

    /** The closed name {@code closing} gets. */
    static Path closedNameOf(Path closing) {
        final String n = closing.getFileName().toString();
        return closing.resolveSibling(n.substring(1, n.length() - SUFFIX.length()));
    }

    /**
     * Renames {@code closing} to {@code closed} once {@code values[0..count)} (ascending, unique)
     * are merged into it.
     *
     * @return how many values were not in it already, or -1 if a file of that window existed
     *     already (a clock that stepped back): then it gets a {@code -N} name, as the writer gives
     *     one, and the values are not merged
     */
    static int finish(Path closing, Path closed, long[] values, int count, DurableFiles.Fsync fsync)
            throws IOException {
        if (Files.exists(closed) || Files.exists(Rotation.gzOf(closed))) {
            DurableFiles.atomicMove(closing, unique(closed), fsync);
            return -1;
        }
        final int added = WindowRewrite.merge(closing, values, count, fsync);
        DurableFiles.atomicMove(closing, closed, fsync);
        return added;
    }

    /**
     * What a crash left: each hidden file of {@code output}'s windows renamed to its closed name
     * (a {@code -N} one if taken), each unfinished merge's {@code .tmp} deleted.
     *
     * @return how many hidden files it renamed
     */
    static int recover(Path output) throws IOException {
        final Path dir = output.toAbsolutePath().getParent();
        final String prefix = "." + output.getFileName() + ".";
        int renamed = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                final String n = p.getFileName().toString();
                if (n.startsWith(prefix) && n.endsWith(SUFFIX + ".tmp")) {
                    Files.deleteIfExists(p);
                }
            }
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                final String n = p.getFileName().toString();
                if (n.startsWith(prefix) && n.endsWith(SUFFIX)) {
                    DurableFiles.atomicMove(p, unique(closedNameOf(p).toAbsolutePath()), DurableFiles.REAL);
                    renamed++;
                }
            }
        }
        return renamed;
    }

    /** {@code closed}, or {@code closed-2}, {@code -3}... if a window of that name exists (in either form). */
    private static Path unique(Path closed) {
        Path candidate = closed;
        for (int i = 2; Files.exists(candidate) || Files.exists(Rotation.gzOf(candidate)); i++) {
            candidate = closed.resolveSibling(closed.getFileName() + "-" + i);
        }
        return candidate;
    }
}
