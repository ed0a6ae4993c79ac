package dev.stampede.client;

import dev.stampede.format.Ascii;
import dev.stampede.protocol.LineDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;

/**
 * The recent timestamps of one connection, in the order it took them: the ones already written
 * (kept so they can be sent again after a reconnect) and the few not yet written (the backlog of
 * a socket that is full). It is both the connection's replay memory and its send queue.
 *
 * <h2>Memory</h2>
 * Thousands of connections each keep {@code --replay / --interval} values, so a value is stored
 * as its difference from the one before, in one {@code char} (2 bytes) of a ring rounded up to a
 * power of two ({@link #bytesFor}): 10 s at 50 ms is 512 bytes a connection. A difference that does not fit (a gap of more than 65 s, a
 * clock stepped back) takes 5 chars; if the ring runs out of chars, the oldest values go first.
 *
 * <p>With acknowledgements a connection may keep far more ({@code --unacked}, 60 s: 4 KB), but
 * only while its server is slow to acknowledge: normally it holds about a second. So the ring
 * starts at the size of the replay (at least {@value #INITIAL_ENTRIES} entries) and doubles, up
 * to its bound, only when values pile up; at 5,000 connections that keeps 20 MB out of a healthy
 * client's heap. Nothing is allocated after construction except by such a growth (a handful per
 * connection per outage, never per value in a steady run).
 *
 * <h2>Entries</h2>
 * From oldest to newest: <em>written</em> entries, then <em>unsent</em> ones (a cursor marks the
 * first, with the count of its bytes already written, since a socket may take half a line). The
 * newest unsent entries may be <em>fresh</em>: never written on any connection. When a fresh
 * entry is written in full, {@link #consume} reports it once (it is then counted as sent and
 * recorded); an entry written again after a reconnect is a replay, reported only as a count.
 * {@link #offer} refuses a value rather than drop a fresh or half-written entry, so the caller
 * counts it missed and a line is never cut on the wire.
 *
 * <h2>Acknowledgements</h2>
 * A connection that asks for acknowledgements ({@link #rewind(boolean, boolean)} with the opener)
 * first writes the opener {@value LineDecoder#ACK_OPENER} (line 1), then each value written in
 * full takes the next line number of that connection. {@link #ack} forgets every entry up to the
 * line the server says is done; the others stay, up to {@code unackedEntries} of them, and a
 * reconnect can send all of them again ({@code rewind(true, ...)}). Past that bound the oldest go
 * first, and {@link #lastEvictions} says how many a call to {@link #offer} forgot.
 *
 * <p>Not thread-safe: owned by the client's event loop.
 */
public final class ReplayRing {
    /** What {@link #offer} returns when it cannot take the value (backlog full). */
    public static final int REFUSED = -1;

    private static final char ESCAPE = 0xFFFF;
    private static final int ESCAPED_CHARS = 5;
    private static final byte[] OPENER = (LineDecoder.ACK_OPENER + "\n").getBytes(StandardCharsets.US_ASCII);
    /** Entries a ring has room for at first, at least: about 3 s at 50 ms, what acknowledgements keep. */
    static final int INITIAL_ENTRIES = 64;

    private final int replayEntries;
    private final int maxFresh;
    private final int maxEntries;
    /** The most chars {@link #deltas} may grow to. */
    private final int maxChars;
    private char[] deltas;
    private int mask;

    /** Slot of the delta from the oldest entry to the second oldest. */
    private int head;
    private int usedChars;
    private int count;
    private long oldest;
    private long newest;

    private int unsent;
    private int fresh;
    /** The first unsent entry, the slot of the delta that follows it, and its bytes on the wire. */
    private long cursorValue;
    private int cursorSlot;
    private int partial;

    /** Whether the opener is still to be written (before any entry), and its bytes already written. */
    private boolean openerPending;
    private int openerWritten;
    /** Entries written in full on the current connection and still kept: the newest written ones. */
    private int writtenHere;
    /** The line number on the current connection of the next entry written in full. */
    private long nextLine = 1;
    /** Non-fresh entries the last {@link #offer} forgot, and the newest value the last {@link #ack} forgot. */
    private int lastEvictions;
    private long lastAcked;

    /**
     * @param replayEntries how many written entries a reconnect sends again (0: no replay)
     * @param maxFresh how many values may wait unsent (the backlog of a full socket), at least 1
     * @param typicalDelta the usual difference between two values (the interval in ms): sizes the
     *     ring so that a run of such values never needs the wide encoding's extra room
     */
    public ReplayRing(int replayEntries, int maxFresh, long typicalDelta) {
        this(replayEntries, 0, maxFresh, typicalDelta);
    }

    /**
     * @param replayEntries how many written entries a reconnect sends again without
     *     acknowledgements ({@code rewind(false, ...)}; 0: no replay)
     * @param unackedEntries how many written entries it keeps while they are not acknowledged (the
     *     ring keeps the larger of the two counts)
     * @param maxFresh how many values may wait unsent (the backlog of a full socket), at least 1
     * @param typicalDelta the usual difference between two values (the interval in ms)
     */
    public ReplayRing(int replayEntries, int unackedEntries, int maxFresh, long typicalDelta) {
        if (replayEntries < 0 || unackedEntries < 0 || maxFresh < 1) {
            throw new IllegalArgumentException("need replayEntries >= 0, unackedEntries >= 0 and maxFresh >= 1");
        }
        this.replayEntries = replayEntries;
        this.maxFresh = maxFresh;
        final int kept = Math.max(replayEntries, unackedEntries);
        this.maxEntries = kept + maxFresh;
        this.maxChars = (int) (bytesFor(kept, maxFresh, typicalDelta) / 2);
        final int initial = Math.min(kept, Math.max(replayEntries, INITIAL_ENTRIES));
        final int capacity = (int) Math.min(maxChars, bytesFor(initial, maxFresh, typicalDelta) / 2);
        this.deltas = new char[capacity];
        this.mask = capacity - 1;
    }

    /**
     * The bytes of the ring of a connection with these sizes: what {@code --replay} costs.
     *
     * @throws IllegalArgumentException if the ring would exceed 2^30 chars
     */
    public static long bytesFor(int replayEntries, int maxFresh, long typicalDelta) {
        final long perEntry = typicalDelta >= 0 && typicalDelta < ESCAPE ? 1 : ESCAPED_CHARS;
        final long chars = (replayEntries + maxFresh - 1L) * perEntry + 2 * ESCAPED_CHARS;
        if (chars > 1 << 30) {
            throw new IllegalArgumentException("replay ring too large: " + chars + " chars");
        }
        return 2L * (Long.highestOneBit(chars - 1) << 1);
    }

    /**
     * Takes a new value (fresh and unsent), making room by forgetting the oldest written values.
     *
     * @return {@link #REFUSED} if the backlog is full (the value is not kept), otherwise how many
     *     unsent replay entries had to be forgotten to make room (normally 0); {@link
     *     #lastEvictions} then says how many entries, written or unsent but not fresh, it forgot
     */
    public int offer(long value) {
        lastEvictions = 0;
        if (fresh >= maxFresh) {
            return REFUSED;
        }
        int droppedReplays = 0;
        while (count > 0 && (count >= maxEntries || charsFor(value - newest) > deltas.length - usedChars)) {
            if (count < maxEntries && deltas.length < maxChars) {
                grow();
                continue;
            }
            if (fresh == count || (unsent == count && partial > 0)) {
                return REFUSED; // only fresh or half-written entries left to drop: keep them
            }
            if (unsent == count) {
                droppedReplays++;
            }
            lastEvictions++;
            evictOldest();
        }
        append(value);
        return droppedReplays;
    }

    /**
     * How many entries the last {@link #offer} forgot to make room, written or unsent, never fresh:
     * with acknowledgements, values dropped before they were acknowledged.
     */
    public int lastEvictions() {
        return lastEvictions;
    }

    /**
     * The server says lines 1 to {@code lines} of the current connection are done: forgets the
     * entries written on it up to that line, and every older one. O(entries forgotten).
     *
     * @return how many entries written on this connection it forgot (0 for an acknowledgement
     *     already seen); {@link #lastAcked} is then the newest of them
     */
    public int ack(long lines) {
        final long firstHere = nextLine - writtenHere;
        final long done = Math.min(writtenHere, lines - firstHere + 1);
        if (done <= 0) {
            return 0;
        }
        final int older = count - unsent - writtenHere; // written on an earlier connection, not sent again
        for (long k = older + done; k > 0; k--) {
            lastAcked = oldest;
            evictOldest();
        }
        return (int) done;
    }

    /** The newest value the last {@link #ack} that forgot something forgot (a send time in ms). */
    public long lastAcked() {
        return lastAcked;
    }

    /**
     * A new connection: everything fresh and the last {@code replayEntries} written values become
     * unsent again, from the start of a line. O(size), once per reconnect.
     */
    public void rewind() {
        rewind(false, false);
    }

    /**
     * A new connection, from the start of a line.
     *
     * @param all every entry kept becomes unsent (the values not acknowledged); otherwise the
     *     fresh ones and the last {@code replayEntries} written ones (the replay)
     * @param opener the connection asks for acknowledgements: the opener goes first, as line 1
     */
    public void rewind(boolean all, boolean opener) {
        partial = 0;
        openerPending = opener;
        openerWritten = 0;
        writtenHere = 0;
        nextLine = opener ? 2 : 1;
        unsent = all ? count : Math.min(count, fresh + replayEntries);
        if (unsent == 0) {
            return;
        }
        long v = oldest;
        int slot = head;
        for (int skip = count - unsent; skip > 0; skip--) {
            v += deltaAt(slot);
            slot = next(slot);
        }
        cursorValue = v;
        cursorSlot = slot;
    }

    /**
     * Formats unsent entries, from the cursor, into {@code dst} (cleared first) as whole lines, as
     * many as fit; then flips it and skips the bytes of the first line already written. The ring
     * is not changed: tell it what the socket took with {@link #consume}.
     */
    public void fill(ByteBuffer dst) {
        dst.clear();
        if (openerPending) {
            dst.put(OPENER);
        }
        long v = cursorValue;
        int slot = cursorSlot;
        for (int left = unsent; left > 0 && dst.remaining() >= Ascii.MAX_LINE; ) {
            Ascii.putLine(dst, v);
            if (--left > 0) {
                v += deltaAt(slot);
                slot = next(slot);
            }
        }
        dst.flip();
        dst.position(Math.min(openerPending ? openerWritten : partial, dst.limit()));
    }

    /**
     * Marks {@code bytes} more of the unsent lines as written.
     *
     * @param firstSends told each fresh value whose line is now complete (once per value ever)
     * @return how many replayed (not fresh) lines are now complete
     */
    public int consume(int bytes, LongConsumer firstSends) {
        int replays = 0;
        long done = (long) partial + bytes;
        if (openerPending) {
            final int rest = OPENER.length - openerWritten;
            if (bytes < rest) {
                openerWritten += bytes;
                return 0;
            }
            openerPending = false;
            done -= rest;
        }
        while (unsent > 0) {
            final int len = Ascii.digits(cursorValue) + 1;
            if (done < len) {
                partial = (int) done;
                return replays;
            }
            done -= len;
            partial = 0;
            writtenHere++;
            nextLine++;
            if (unsent <= fresh) {
                fresh--;
                firstSends.accept(cursorValue);
            } else {
                replays++;
            }
            if (--unsent > 0) {
                cursorValue += deltaAt(cursorSlot);
                cursorSlot = next(cursorSlot);
            }
        }
        partial = 0;
        return replays;
    }

    /** Entries kept. */
    public int size() {
        return count;
    }

    /** Entries not yet written on the current connection. */
    public int unsent() {
        return unsent;
    }

    /** Whether bytes wait to be written: unsent entries, or the opener. */
    public boolean hasUnsent() {
        return unsent > 0 || openerPending;
    }

    /** Entries written on some connection and kept: with acknowledgements, those not acknowledged. */
    public int written() {
        return count - fresh;
    }

    /** Entries never written on any connection. */
    public int fresh() {
        return fresh;
    }

    /** The most entries it keeps ({@code replayEntries + maxFresh}). */
    public int capacity() {
        return maxEntries;
    }

    /** Bytes of memory its delta array takes now (it grows up to {@link #bytesFor} its bounds). */
    public int deltaBytes() {
        return deltas.length * Character.BYTES;
    }

    /** The entries, oldest first (a copy, for tests and diagnostics). */
    public long[] toArray() {
        final long[] out = new long[count];
        long v = oldest;
        int slot = head;
        for (int j = 0; j < count; j++) {
            if (j > 0) {
                v += deltaAt(slot);
                slot = next(slot);
            }
            out[j] = v;
        }
        return out;
    }

    private void append(long value) {
        if (count == 0) {
            oldest = value;
            usedChars = 0;
        } else {
            encode((head + usedChars) & mask, value - newest);
        }
        newest = value;
        count++;
        if (unsent == 0) {
            cursorValue = value;
            cursorSlot = (head + usedChars) & mask;
            partial = 0;
        }
        unsent++;
        fresh++;
    }

    /**
     * Doubles the delta array (up to {@link #maxChars}), the oldest entry moved to slot 0. The
     * only allocation after construction: values piling up unacknowledged.
     */
    private void grow() {
        final int length = Math.min(maxChars, deltas.length * 2);
        final char[] bigger = new char[length];
        final int tail = Math.min(usedChars, deltas.length - head);
        System.arraycopy(deltas, head, bigger, 0, tail);
        System.arraycopy(deltas, 0, bigger, tail, usedChars - tail);
        // The newest entry's following slot is the free one: in a full ring it aliases the head.
        cursorSlot = unsent == 1 ? usedChars : (cursorSlot - head) & mask;
        head = 0;
        deltas = bigger;
        mask = length - 1;
    }

    private void evictOldest() {
        final boolean cursorAtHead = unsent == count;
        if (cursorAtHead) {
            unsent--;
        } else if (count - unsent == writtenHere) {
            writtenHere--; // the oldest was written on this connection
        }
        if (count == 1) {
            count = 0;
            usedChars = 0;
            return;
        }
        oldest += deltaAt(head);
        final int len = lengthAt(head);
        head = (head + len) & mask;
        usedChars -= len;
        count--;
        if (cursorAtHead && unsent > 0) {
            cursorValue = oldest;
            cursorSlot = head;
            partial = 0;
        }
    }

    private void encode(int slot, long delta) {
        if (delta >= 0 && delta < ESCAPE) {
            deltas[slot] = (char) delta;
            usedChars++;
            return;
        }
        deltas[slot] = ESCAPE;
        for (int j = 1; j < ESCAPED_CHARS; j++) {
            deltas[(slot + j) & mask] = (char) (delta >>> (16 * (ESCAPED_CHARS - 1 - j)));
        }
        usedChars += ESCAPED_CHARS;
    }

    private long deltaAt(int slot) {
        final char c = deltas[slot];
        if (c != ESCAPE) {
            return c;
        }
        long d = 0;
        for (int j = 1; j < ESCAPED_CHARS; j++) {
            d = (d << 16) | deltas[(slot + j) & mask];
        }
        return d;
    }

    private int lengthAt(int slot) {
        return deltas[slot] == ESCAPE ? ESCAPED_CHARS : 1;
    }

    private int next(int slot) {
        return (slot + lengthAt(slot)) & mask;
    }

    private static int charsFor(long delta) {
        return delta >= 0 && delta < ESCAPE ? 1 : ESCAPED_CHARS;
    }
}
