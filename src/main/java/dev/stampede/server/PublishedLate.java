package dev.stampede.server;

/**
 * With {@code --kafka}, how many of the late file's lines are both durable and in the node's
 * partition, so that a late value, like a final one, is acknowledged only once a lost disk cannot
 * take it (docs/DESIGN.md, "Acknowledged delivery").
 *
 * <p>The late file's writer says how many late lines are durable (its mark) and how long the
 * file's durable prefix is (bytes); the publisher says how far into the file the partition holds
 * (bytes). A mark is published once the partition holds the bytes that were durable when the mark
 * was first seen durable: they hold every line the mark counts (the writer's contract: read the
 * mark first, then the bytes), so this never acknowledges early; it may wait for a few bytes more
 * than needed. At most {@value #PENDING} marks wait; past that the newest is replaced by a newer
 * one, which only makes acknowledgements wait longer.
 *
 * <p>Not thread-safe: one caller thread (the loop's acknowledgement sweep, or the loops' merge).
 */
final class PublishedLate {
    static final int PENDING = 64;

    private final long[] marks = new long[PENDING];
    private final long[] bytes = new long[PENDING];
    private int head;
    private int size;
    private long lastSeenMark = Long.MIN_VALUE;
    private long published = Long.MIN_VALUE;

    /**
     * @param durableMark the late writer's durable mark (late lines), read first
     * @param durableBytes the late file's durable prefix then, in bytes
     * @param publishedBytes how far into the late file the partition holds ({@link Long#MIN_VALUE}: unknown yet)
     * @return the late lines both durable and published ({@link Long#MIN_VALUE} before any)
     */
    long advance(long durableMark, long durableBytes, long publishedBytes) {
        if (durableMark > lastSeenMark) {
            lastSeenMark = durableMark;
            final int slot = size < PENDING ? (head + size++) % PENDING : (head + PENDING - 1) % PENDING;
            marks[slot] = durableMark;
            bytes[slot] = durableBytes;
        }
        while (size > 0 && publishedBytes >= bytes[head]) {
            published = marks[head];
            head = (head + 1) % PENDING;
            size--;
        }
        return published;
    }
}
