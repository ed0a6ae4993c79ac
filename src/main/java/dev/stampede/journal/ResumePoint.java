package dev.stampede.journal;

/**
 * Where an existing output file leaves off, for a server that appends to it.
 *
 * @param lastValue the last timestamp in the file: the written watermark; -1 if the file is empty
 * @param recent the file's last values within the duplicate history of {@code lastValue},
 *     ascending, to seed the duplicate filter
 * @param tornBytes bytes of an unfinished last line that were cut off (0 if none)
 * @param sizeBytes the file's size after the repair
 * @param firstValue the first timestamp in the file; -1 if the file is empty
 */
public record ResumePoint(long lastValue, long[] recent, int tornBytes, long sizeBytes, long firstValue) {
    /** Whether the file had any timestamp. */
    public boolean hasData() {
        return lastValue >= 0;
    }
}
