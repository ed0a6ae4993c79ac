package dev.stampede.client;

/**
 * One loop's first sends on their way to the shared {@link RecordFile}: collected in an array and
 * handed over a batch at a time, so that several loops share the file without taking its lock
 * once a timestamp. Allocates nothing per timestamp.
 *
 * <p>Not thread-safe: owned by one client loop.
 */
final class RecordBatch {
    /** Timestamps a batch holds: at 100,000 sends/s a loop hands over about 25 batches a second. */
    static final int VALUES = 4096;

    private final RecordFile file;
    private final long[] values = new long[VALUES];
    private int count;

    RecordBatch(RecordFile file) {
        this.file = file;
    }

    /** Records a timestamp sent for the first time; hands the batch over when it is full. */
    void add(long value) {
        values[count++] = value;
        if (count == VALUES) {
            file.add(values, count, false);
            count = 0;
        }
    }

    /** Hands what is collected to the file and the file's buffer to its writer. */
    void flush() {
        file.add(values, count, true);
        count = 0;
    }
}
