package dev.stampede.journal;

/**
 * How much of a journal file is durable: on disk (fsynced), or, when the owner said writes count
 * as durable ({@code --fsync never}: nothing is fsynced while running), written. What a reader that
 * must never run ahead of the disk (a publisher) may read. Safe from any thread.
 *
 * <p>Read {@link #durableMark()} first, then {@link #durableBytes()}: everything the mark describes
 * is then within those bytes.
 */
public interface DurableEnd {
    /** The owner's mark of the last batch that is durable ({@link Long#MIN_VALUE} before any). */
    long durableMark();

    /** The length of the file's durable prefix, in bytes from its start; always a line boundary. */
    long durableBytes();
}
