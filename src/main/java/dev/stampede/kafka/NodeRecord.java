package dev.stampede.kafka;

import java.nio.ByteBuffer;

/**
 * The value of a record in a node's partition: what a server publishes and the merge reads
 * (docs/SCALE-OUT.md). Big-endian, fixed header, then the values:
 *
 * <pre>
 *   byte  kind          'V' final values, ascending; 'L' late values, arrival order; 'X' leaving
 *   long  watermark     the node's watermark once this record is read: every final value below it
 *                       has been published ({@link Long#MIN_VALUE}: none known yet)
 *   long  outputOffset  byte offset in the node's output file after the values published so far
 *   long  lateOffset    byte offset in the node's late file after the values published so far
 *   int   count         values that follow
 *   count x long        the values
 * </pre>
 *
 * A record with no values is a watermark marker (the node is alive, its watermark moved). The two
 * offsets make every record a resume point: a restarted node reads its partition's last record
 * and publishes its files from there, so each value reaches the partition once.
 *
 * <p>{@link #read} decodes without allocating: the merge reads values straight out of the record.
 */
public final class NodeRecord {
    /** Final values of the node, ascending, each once. */
    public static final byte VALUES = 'V';
    /** Values that were late at the node (below its watermark), in arrival order. */
    public static final byte LATE = 'L';
    /** The node stops cleanly: it no longer holds the merge back. */
    public static final byte LEAVING = 'X';

    /** Bytes before the values. */
    public static final int HEADER_BYTES = 1 + 8 + 8 + 8 + 4;

    private byte[] data;
    private byte kind;
    private long watermark;
    private long outputOffset;
    private long lateOffset;
    private int count;

    /** Encodes a record whose {@code count} values are already at {@code HEADER_BYTES} in {@code buffer}. */
    static byte[] encode(ByteBuffer buffer, byte kind, long watermark, long outputOffset, long lateOffset, int count) {
        final byte[] out = new byte[HEADER_BYTES + 8 * count];
        final ByteBuffer b = ByteBuffer.wrap(out);
        b.put(kind).putLong(watermark).putLong(outputOffset).putLong(lateOffset).putInt(count);
        b.put(buffer.array(), HEADER_BYTES, 8 * count);
        return out;
    }

    /** A record with the given values (tests, and markers). */
    public static byte[] encode(byte kind, long watermark, long outputOffset, long lateOffset, long... values) {
        final ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + 8 * values.length);
        b.position(HEADER_BYTES);
        for (long v : values) {
            b.putLong(v);
        }
        return encode(b, kind, watermark, outputOffset, lateOffset, values.length);
    }

    /**
     * Points this reader at a record's bytes.
     *
     * @return {@code false} if they are not a record of this format (the reader is then unusable)
     */
    public boolean read(byte[] bytes) {
        if (bytes == null || bytes.length < HEADER_BYTES) {
            return false;
        }
        data = bytes;
        kind = bytes[0];
        watermark = longAt(1);
        outputOffset = longAt(9);
        lateOffset = longAt(17);
        count = (int) ((bytes[25] & 0xFFL) << 24 | (bytes[26] & 0xFFL) << 16 | (bytes[27] & 0xFFL) << 8 | bytes[28] & 0xFFL);
        return (kind == VALUES || kind == LATE || kind == LEAVING) && count >= 0
                && bytes.length == HEADER_BYTES + 8L * count;
    }

    /** {@link #VALUES}, {@link #LATE} or {@link #LEAVING}. */
    public byte kind() {
        return kind;
    }

    /** The node's watermark as of this record. */
    public long watermark() {
        return watermark;
    }

    /** Where the node's output file had been published up to, in bytes. */
    public long outputOffset() {
        return outputOffset;
    }

    /** Where the node's late file had been published up to, in bytes. */
    public long lateOffset() {
        return lateOffset;
    }

    /** Values in the record. */
    public int count() {
        return count;
    }

    /** Value {@code i} (0-based). */
    public long value(int i) {
        return longAt(HEADER_BYTES + 8 * i);
    }

    private long longAt(int at) {
        long v = 0;
        for (int i = at; i < at + 8; i++) {
            v = v << 8 | (data[i] & 0xFFL);
        }
        return v;
    }
}
