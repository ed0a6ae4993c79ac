package dev.stampede.kafka;

import dev.stampede.store.OutputStore;
import java.io.IOException;
import java.util.function.Consumer;

/**
 * The merge's checkpoints: with the global file's syncs, once the files hold (and, with
 * {@code fsync}, have on disk) everything taken so far, the offsets a restarted merge reads again
 * from ({@link PartitionIntake#safeOffsets}) are saved ({@link MergeOffsets}). Offsets never get
 * ahead of the file: when the writes fail, the old offsets stay, and more is read again after a
 * crash (the file's duplicate filter drops what it already has).
 *
 * <p>Owned by the merge's loop thread.
 */
final class OffsetCheckpoints {
    private static final long SYNC_TIMEOUT_MS = 5_000;

    private final OutputStore store;
    private final MergeOffsets offsets;
    private final Consumer<String> log;

    OffsetCheckpoints(OutputStore store, MergeOffsets offsets, Consumer<String> log) {
        this.store = store;
        this.offsets = offsets;
        this.log = log;
    }

    /**
     * Waits (bounded) until the files hold everything appended so far, fsynced if asked, then
     * saves {@code at} (per partition); nothing with no partition yet.
     */
    void save(long[] at, boolean fsync) {
        if (at.length == 0) {
            return;
        }
        if (!store.awaitWritten(SYNC_TIMEOUT_MS, fsync)) {
            return; // writes failing: the old offsets stay, and more is read again after a crash
        }
        try {
            offsets.save(at, at.length);
        } catch (IOException e) {
            log.accept("merge: cannot save " + offsets.path() + ": " + e.getMessage());
        }
    }
}
