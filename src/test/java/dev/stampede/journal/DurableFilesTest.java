package dev.stampede.journal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.RecordingFsync;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rename that publishes a file: the file fsynced before it, the directory after. */
class DurableFilesTest {
    @TempDir
    Path dir;

    @Test
    void theFileIsSyncedBeforeTheRenameAndTheDirectoryAfter() throws IOException {
        final Path src = Files.writeString(dir.resolve("a.tmp"), "12345\n");
        final Path dst = dir.resolve("a");
        final RecordingFsync fsync = new RecordingFsync(dst);
        DurableFiles.atomicMove(src, dst, fsync);
        assertThat(fsync.calls).containsExactly("file a.tmp (6 bytes), target absent",
                "dir " + dir.getFileName() + ", target there");
        assertThat(dst).hasContent("12345");
        assertThat(src).doesNotExist();
    }

    @Test
    void writeAtomicallyReplacesTheContentDurably() throws IOException {
        final Path f = Files.writeString(dir.resolve("offsets"), "old\n");
        final RecordingFsync fsync = new RecordingFsync(f);
        DurableFiles.writeAtomically(f, "new content\n", fsync);
        assertThat(fsync.calls).containsExactly("file offsets.tmp (12 bytes), target there",
                "dir " + dir.getFileName() + ", target there");
        assertThat(f).hasContent("new content");
    }

    @Test
    void theRealFsyncTakesFilesAndDirectories() throws IOException {
        DurableFiles.REAL.force(Files.writeString(dir.resolve("x"), "1\n"));
        DurableFiles.REAL.force(dir);
    }
}
