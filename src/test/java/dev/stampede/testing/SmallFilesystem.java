package dev.stampede.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real, tiny filesystem (tmpfs) that can be filled up, for disk-full tests. Mounting needs root:
 * {@link #mount} returns {@code null} where it cannot, and the caller skips or uses the file seam.
 */
public final class SmallFilesystem implements AutoCloseable {
    private final Path dir;

    private SmallFilesystem(Path dir) {
        this.dir = dir;
    }

    /** Mounts a tmpfs of {@code kib} KiB on {@code dir} (created), or returns {@code null}. */
    public static SmallFilesystem mount(Path dir, int kib) throws IOException {
        Files.createDirectories(dir);
        return run("mount", "-t", "tmpfs", "-o", "size=" + kib + "k", "tmpfs", dir.toString())
                ? new SmallFilesystem(dir) : null;
    }

    /** Where it is mounted. */
    public Path dir() {
        return dir;
    }

    /** Fills it with a file of {@code kib} KiB; delete the returned path to make room again. */
    public Path fill(int kib) throws IOException {
        return Files.write(dir.resolve("filler"), new byte[kib * 1024]);
    }

    @Override
    public void close() throws IOException {
        if (!run("umount", "-l", dir.toString())) {
            throw new IOException("could not unmount " + dir);
        }
    }

    private static boolean run(String... cmd) {
        try {
            final Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
