package dev.stampede.journal;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The few file operations the store needs, so that tests can inject a disk fault where a real one
 * cannot be made. {@link #FILES} is the real thing: a {@link FileChannel} opened for append.
 */
public interface AppendChannel extends Closeable {

    /** Opens a file for appending, creating it if missing; never truncates it. */
    @FunctionalInterface
    interface Opener {
        AppendChannel open(Path path) throws IOException;

        /**
         * Renames a closed file (a rotation): durably, see {@link DurableFiles#atomicMove}. A seam
         * for tests, like {@link #open}.
         */
        default void atomicMove(Path source, Path target) throws IOException {
            DurableFiles.atomicMove(source, target);
        }
    }

    /** Real files, each locked against a second writer (another server on the same file). */
    Opener FILES = Files::open;

    /** Appends from the buffer's position; may write less than all of it. */
    int write(ByteBuffer src) throws IOException;

    /** Reads at an absolute offset (for checking and repairing the tail). */
    int read(ByteBuffer dst, long position) throws IOException;

    /** The file's size in bytes. */
    long size() throws IOException;

    /** Cuts the file to {@code size} bytes (only ever an unfinished last line). */
    void truncate(long size) throws IOException;

    /** Puts written data on disk ({@code fdatasync}). */
    void force() throws IOException;

    /**
     * {@link AppendChannel} over a {@link FileChannel}, positioned at the end. (Not opened with
     * {@code APPEND}, which Java does not allow with {@code READ}; the exclusive lock is what keeps
     * a second writer away.)
     */
    final class Files implements AppendChannel {
        private final FileChannel channel;

        private Files(FileChannel channel) {
            this.channel = channel;
        }

        static Files open(Path path) throws IOException {
            final FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                if (!lock(ch)) {
                    throw new FileLockedException(path + " is being written by another process "
                            + "(another stampede server?); refusing to write it too");
                }
                ch.position(ch.size());
                return new Files(ch);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        }

        private static boolean lock(FileChannel ch) throws IOException {
            try {
                return ch.tryLock() != null;
            } catch (OverlappingFileLockException e) {
                return false; // held by this very process
            }
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return channel.write(src);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return channel.read(dst, position);
        }

        @Override
        public long size() throws IOException {
            return channel.size();
        }

        @Override
        public void truncate(long size) throws IOException {
            channel.truncate(size);
            channel.position(size);
        }

        @Override
        public void force() throws IOException {
            channel.force(false);
        }

        @Override
        public void close() throws IOException {
            channel.close();
        }
    }
}
