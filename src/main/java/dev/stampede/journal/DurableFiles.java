package dev.stampede.journal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Renames that publish a file and survive a power loss: the file's content is fsynced before the
 * rename, and its directory (the rename itself) after, as Kafka's
 * {@code Utils.atomicMoveWithFallback} does. Without the first, a crash can leave the new name on
 * an empty or partial file; without the second, the rename itself can be lost.
 */
public final class DurableFiles {
    /** Puts a file's (or a directory's) data on disk: the seam through which tests watch it. */
    @FunctionalInterface
    public interface Fsync {
        /** fsyncs {@code path}, a regular file or a directory. */
        void force(Path path) throws IOException;
    }

    /** The real thing: {@code fsync(2)} on a descriptor of the file or directory. */
    public static final Fsync REAL = DurableFiles::forceReal;

    private DurableFiles() {}

    /** Moves {@code source} to {@code target} (replacing it), durably; see the class comment. */
    public static void atomicMove(Path source, Path target) throws IOException {
        atomicMove(source, target, REAL);
    }

    /** As {@link #atomicMove(Path, Path)}, fsyncing through {@code fsync}. */
    public static void atomicMove(Path source, Path target, Fsync fsync) throws IOException {
        fsync.force(source);
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
        fsync.force(directoryOf(target));
    }

    /**
     * Replaces {@code target}'s content with {@code text} (ASCII) all at once: written to a
     * temporary file beside it, then {@link #atomicMove moved} over it. A reader, or a crash,
     * sees the old content or the new, never a part.
     */
    public static void writeAtomically(Path target, CharSequence text, Fsync fsync) throws IOException {
        final Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, text, StandardCharsets.US_ASCII);
        atomicMove(tmp, target, fsync);
    }

    private static Path directoryOf(Path file) {
        final Path dir = file.toAbsolutePath().getParent();
        return dir != null ? dir : file.toAbsolutePath().getRoot();
    }

    private static void forceReal(Path path) throws IOException {
        // Read-only suffices for fsync on Linux and macOS, and is all a directory can be opened as.
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
