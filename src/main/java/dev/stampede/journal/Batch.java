package dev.stampede.journal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A buffer of lines on its way to the file, whether to fsync once it is written, its mark (what
 * the owner says everything up to it describes), and the rotations that fall inside it: each a
 * cut, a position in the buffer where the file is closed and renamed before the lines after it.
 * Rotations travel in the batch stream as these markers, so a rotation never needs a batch of its
 * own: the ring stays {@link LineAppender#BATCHES} buffers through any number of them.
 *
 * <p>Filled by the owner, then owned by the writer until it comes back through the free queue.
 */
final class Batch {
    ByteBuffer buffer;
    boolean sync;
    long mark;
    /** Rotations in this batch, in order. */
    int cuts;
    /** Where each cut falls: the buffer position of the first line that goes to the new file. */
    int[] cutAt = new int[2];
    /** The name the file before each cut is renamed to. */
    Path[] cutTo = new Path[2];

    Batch(ByteBuffer buffer) {
        this.buffer = buffer;
    }

    /** Whether it holds neither lines nor a rotation. */
    boolean isEmpty() {
        return buffer.position() == 0 && cuts == 0;
    }

    /** Marks a rotation after the lines filled so far. */
    void cut(Path closedName) {
        if (cuts == cutAt.length) {
            // A rotation per window: grows only while the writer is held for many windows; kept after.
            cutAt = Arrays.copyOf(cutAt, cuts * 2);
            cutTo = Arrays.copyOf(cutTo, cuts * 2);
        }
        cutAt[cuts] = buffer.position();
        cutTo[cuts++] = closedName;
    }

    /** Empty again, for filling. */
    void reset() {
        buffer.clear();
        sync = false;
        Arrays.fill(cutTo, 0, cuts, null);
        cuts = 0;
    }
}
