package dev.stampede.store;

import dev.stampede.journal.LineAppender;
import java.nio.file.Path;

/**
 * The output's event-time windows under {@code --rotate}, on the store's owner thread: which
 * window the file at the path holds, when it closes (a value of a later window comes, or the
 * watermark passes its end), and under which name: its closed name, or, with
 * {@code --repair-late}, if it got a late value while it was the current one, its hidden name
 * ({@link WindowClosing}), so that the repair merges those values before its rename. No I/O here:
 * a close is a marker in the output writer's batches, and the writer renames.
 */
final class WindowCuts {
    private static final long NONE = Long.MIN_VALUE;

    private final LineAppender output;
    private final Rotation rotation;
    /** {@code --repair-late}, or {@code null}. */
    private final LateRepair repair;
    /** The window of the file at the output path; NONE while it holds nothing. */
    private long windowStart = NONE;
    private long windowEnd = NONE;
    /** The current window got a late value (with repair): it closes under its hidden name. */
    private boolean gotLate;
    /** A window closed under its hidden name since the last flush: the late file is fsynced then. */
    private boolean lateSyncWanted;

    /** @param firstValue the first value of the file at the path (it holds that window), or -1 */
    WindowCuts(LineAppender output, Rotation rotation, LateRepair repair, long firstValue) {
        this.output = output;
        this.rotation = rotation;
        this.repair = repair;
        if (firstValue >= 0) {
            enter(firstValue);
        }
    }

    /** A final value is about to be appended: one of a later window closes the current one (if any) first. */
    void beforeFinal(long value, long lateLines) {
        if (value >= windowEnd) {
            if (windowStart != NONE) {
                output.rotate(closeName(lateLines));
            }
            enter(value);
        }
    }

    /** A late value was appended: one of the window being written holds it until it is merged. */
    void late(long value) {
        if (repair != null && value >= windowStart && value < windowEnd) {
            gotLate = true;
        }
    }

    /** The store flushes at {@code watermark}: a window it has passed is complete, closed now. */
    void flushing(long watermark, long lateLines) {
        if (windowStart != NONE && watermark >= windowEnd) {
            output.rotate(closeName(lateLines));
            windowStart = NONE;
            windowEnd = NONE;
        }
    }

    /** Whether the late file must be fsynced at this flush (a window waits for its late values); clears it. */
    boolean takeLateSync() {
        final boolean wanted = lateSyncWanted;
        lateSyncWanted = false;
        return wanted;
    }

    /** @param lateLines late lines appended so far: the current window's are among them */
    private Path closeName(long lateLines) {
        if (!gotLate) {
            return Rotation.closedName(output.path(), windowStart);
        }
        gotLate = false;
        repair.closing(windowStart, lateLines);
        lateSyncWanted = true;
        return WindowClosing.name(output.path(), windowStart);
    }

    private void enter(long value) {
        windowStart = rotation.windowStart(value);
        windowEnd = windowStart + rotation.periodMs();
    }
}
