package dev.stampede.testing;

import dev.stampede.journal.DurableFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link DurableFiles.Fsync} that records each fsync with what the disk looked like at that
 * moment (the file's size, whether {@code watched} exists yet), then does the real one.
 */
public final class RecordingFsync implements DurableFiles.Fsync {
    /** One line per fsync: "file NAME (N bytes), target there|absent" or "dir NAME, ...". */
    public final List<String> calls = new ArrayList<>();
    private final Path watched;

    public RecordingFsync(Path watched) {
        this.watched = watched;
    }

    @Override
    public synchronized void force(Path path) throws IOException {
        final String what = Files.isDirectory(path) ? "dir " + path.getFileName()
                : "file " + path.getFileName() + " (" + Files.size(path) + " bytes)";
        calls.add(what + (Files.exists(watched) ? ", target there" : ", target absent"));
        DurableFiles.REAL.force(path);
    }
}
