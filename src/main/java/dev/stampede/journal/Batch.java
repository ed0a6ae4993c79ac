package dev.stampede.journal;

import java.nio.ByteBuffer;

/**
 * A buffer of lines on its way to the file, whether to fsync once it is written, and its mark
 * (what the owner says everything up to it describes). Filled by the owner, then owned by the
 * writer until it comes back through the free queue.
 */
final class Batch {
    ByteBuffer buffer;
    boolean sync;
    long mark;
    /** Close and rename the file to this after the batch (a rotation); {@code null}: no rotation. */
    java.nio.file.Path rotateTo;

    Batch(ByteBuffer buffer) {
        this.buffer = buffer;
    }
}
