package dev.stampede.kafka;

import java.nio.ByteBuffer;

/**
 * The value of a record in a node's partition: what a server publishes and the merge reads
 * (docs/SCALE-OUT.md). Big-endian, fixed header, then the values:
 *
 * <pre>
 *   byte  version       {@value #VERSION}: the layout that follows
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
 * <h2>Versions</h2>
 * Versions are numbered from 1 to {@value #MAX_VERSION}, so that the first byte of a record is never
 * one of the kinds ({@code 'L'}, {@code 'V'}, {@code 'X'}, from 0x4C up): that is how the records of
 * stampede before the version byte ({@link #UNVERSIONED}: the same layout without its first byte) are
 * told apart, and read as they always were; a topic written by an older node needs no conversion. A
 * first byte from 2 to {@value #MAX_VERSION} is a record of a newer stampede: {@link #read} says so
 * ({@link #unknownVersion()}) instead of guessing at its layout. Anything else is not a record.
 *
 * <p>{@link #read} decodes without allocating: the merge reads values straight out of the record.
 */
public final class NodeRecord {
    /** The version this stampede writes. */
    public static final byte VERSION = 1;
    /** The version of a record written before records had a version byte. */
    public static final int UNVERSIONED = 0;
    /** The highest a version byte can be: below {@code 'L'}, the lowest kind an unversioned record starts with. */
    static final int MAX_VERSION = 0x3F;

    /** Final values of the node, ascending, each once. */
    public static final byte VALUES = 'V';
    /** Values that were late at the node (below its watermark), in arrival order. */
    public static final byte LATE = 'L';
    /** The node stops cleanly: it no longer holds the merge back. */
    public static final byte LEAVING = 'X';

    /** Bytes before the values. */
    public static final int HEADER_BYTES = 1 + 1 + 8 + 8 + 8 + 4;

    private byte[] data;
    private int version;
    private byte kind;
    private long watermark;
    private long outputOffset;
    private long lateOffset;
    private int count;
    /** Where the values start: {@link #HEADER_BYTES}, or one less in an unversioned record. */
    private int valuesAt;

    /** Encodes a record whose {@code count} values are already at {@code HEADER_BYTES} in {@code buffer}. */
    static byte[] encode(ByteBuffer buffer, byte kind, long watermark, long outputOffset, long lateOffset, int count) {
        final byte[] out = new byte[HEADER_BYTES + 8 * count];
        final ByteBuffer b = ByteBuffer.wrap(out);
        b.put(VERSION).put(kind).putLong(watermark).putLong(outputOffset).putLong(lateOffset).putInt(count);
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
     * @return {@code false} if they are not a record this stampede can read: then
     *     {@link #unknownVersion()} says whether they are one of a newer version (the reader is
     *     otherwise unusable)
     */
    public boolean read(byte[] bytes) {
        version = -1;
        if (bytes == null || bytes.length < 1) {
            return false;
        }
        final int first = bytes[0] & 0xFF;
        final int at;
        if (first == VERSION) {
            at = 1;
        } else if (first == VALUES || first == LATE || first == LEAVING) {
            at = 0; // written before the version byte
        } else {
            if (first > VERSION && first <= MAX_VERSION) {
                version = first;
            }
            return false;
        }
        if (bytes.length < at + HEADER_BYTES - 1) {
            return false;
        }
        data = bytes;
        version = at == 0 ? UNVERSIONED : VERSION;
        kind = bytes[at];
        watermark = longAt(at + 1);
        outputOffset = longAt(at + 9);
        lateOffset = longAt(at + 17);
        count = (int) ((bytes[at + 25] & 0xFFL) << 24 | (bytes[at + 26] & 0xFFL) << 16
                | (bytes[at + 27] & 0xFFL) << 8 | bytes[at + 28] & 0xFFL);
        valuesAt = at + HEADER_BYTES - 1;
        final boolean ok = (kind == VALUES || kind == LATE || kind == LEAVING) && count >= 0
                && bytes.length == valuesAt + 8L * count;
        if (!ok) {
            version = -1;
        }
        return ok;
    }

    /**
     * After a {@link #read} that returned {@code false}: the version byte of a record written by a
     * newer stampede (2 to {@value #MAX_VERSION}), or -1 if the bytes are no stampede record at all.
     */
    public int unknownVersion() {
        return version > VERSION ? version : -1;
    }

    /** After a successful {@link #read}: {@link #VERSION}, or {@link #UNVERSIONED} for a record of an older stampede. */
    public int version() {
        return version;
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
        return longAt(valuesAt + 8 * i);
    }

    private long longAt(int at) {
        long v = 0;
        for (int i = at; i < at + 8; i++) {
            v = v << 8 | (data[i] & 0xFFL);
        }
        return v;
    }
}
