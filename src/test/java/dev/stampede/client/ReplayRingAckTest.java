package dev.stampede.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The ring's acknowledgement side: the opener, line numbers per connection, trimming by ACK. */
class ReplayRingAckTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final String OPENER = "ACKS 1\n";

    private final List<Long> firstSends = new ArrayList<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);

    @Test
    void theOpenerIsLineOneAndEachValueTakesTheNextLine() {
        final ReplayRing ring = new ReplayRing(0, 100, 8, 50);
        ring.rewind(false, true);
        offer(ring, 0, 4);
        assertThat(write(ring, Integer.MAX_VALUE)).isEqualTo(OPENER + lines(values(0, 4)));
        assertThat(ring.ack(1)).isZero(); // the opener only
        assertThat(ring.written()).isEqualTo(4);
        assertThat(ring.ack(3)).isEqualTo(2); // lines 2 and 3: the first two values
        assertThat(ring.lastAcked()).isEqualTo(T0 + 50);
        assertThat(ring.toArray()).containsExactly(values(2, 2));
        assertThat(ring.ack(3)).isZero(); // the same ACK again: nothing new
        assertThat(ring.ack(99)).isEqualTo(2); // beyond what was written: all written ones
        assertThat(ring.size()).isZero();
        assertThat(firstSends).containsExactly(boxed(values(0, 4)));
    }

    @Test
    void aValueNotYetWrittenInFullIsNeverAcknowledged() {
        final ReplayRing ring = new ReplayRing(0, 100, 8, 50);
        ring.rewind(false, true);
        offer(ring, 0, 2);
        final int firstLine = OPENER.length() + String.valueOf(T0).length() + 1;
        write(ring, firstLine + 3); // the second value half written
        assertThat(ring.ack(3)).isEqualTo(1);
        assertThat(ring.toArray()).containsExactly(T0 + 50);
        assertThat(write(ring, Integer.MAX_VALUE)).isEqualTo(String.valueOf(T0 + 50).substring(3) + "\n");
        assertThat(ring.ack(3)).isEqualTo(1);
        assertThat(ring.size()).isZero();
    }

    @Test
    void theOpenerMayBeWrittenInPieces() {
        final ReplayRing ring = new ReplayRing(0, 100, 8, 50);
        ring.rewind(false, true);
        assertThat(ring.hasUnsent()).isTrue();
        final StringBuilder wire = new StringBuilder(write(ring, 3));
        offer(ring, 0, 1); // a value taken while the opener is half written
        wire.append(write(ring, 2)).append(write(ring, Integer.MAX_VALUE));
        assertThat(wire.toString()).isEqualTo(OPENER + T0 + "\n");
        assertThat(ring.hasUnsent()).isFalse();
        assertThat(ring.ack(2)).isEqualTo(1);
    }

    @Test
    void aReconnectSendsExactlyTheUnacknowledgedValuesWithNewLineNumbers() {
        final ReplayRing ring = new ReplayRing(2, 100, 8, 50);
        ring.rewind(false, true);
        offer(ring, 0, 6);
        write(ring, Integer.MAX_VALUE);
        assertThat(ring.ack(4)).isEqualTo(3); // values 0..2 done

        ring.rewind(true, true); // reconnect: values 3..5 again, after the opener
        offer(ring, 6, 1);
        assertThat(write(ring, Integer.MAX_VALUE)).isEqualTo(OPENER + lines(values(3, 4)));
        assertThat(firstSends).hasSize(7); // a resend is not a first send
        assertThat(ring.ack(2)).isEqualTo(1); // line 2 of the new connection: value 3
        assertThat(ring.lastAcked()).isEqualTo(T0 + 3 * 50);
        assertThat(ring.toArray()).containsExactly(values(4, 3));

        ring.rewind(true, true); // a second reconnect before the rest is acknowledged
        assertThat(write(ring, Integer.MAX_VALUE)).isEqualTo(OPENER + lines(values(4, 3)));
        assertThat(ring.ack(4)).isEqualTo(3);
        assertThat(ring.size()).isZero();
    }

    @Test
    void lostBeforeTheOpenerWasWrittenEverythingIsSentAgain() {
        final ReplayRing ring = new ReplayRing(0, 100, 8, 50);
        ring.rewind(false, true);
        offer(ring, 0, 3);
        write(ring, 2);
        ring.rewind(true, true);
        assertThat(write(ring, Integer.MAX_VALUE)).isEqualTo(OPENER + lines(values(0, 3)));
        assertThat(ring.ack(4)).isEqualTo(3);
    }

    @Test
    void withoutAcknowledgementsAReconnectSendsTheReplayOnly() {
        final ReplayRing ring = new ReplayRing(2, 100, 8, 50);
        ring.rewind(false, true);
        offer(ring, 0, 5);
        write(ring, Integer.MAX_VALUE);
        offer(ring, 5, 5);
        write(ring, Integer.MAX_VALUE);
        assertThat(ring.written()).isEqualTo(10); // kept, up to the unacknowledged bound
        ring.rewind(false, true);
        assertThat(write(ring, Integer.MAX_VALUE)).isEqualTo(OPENER + lines(values(8, 2)));
        // An acknowledgement then also forgets the older values, which are not sent again here.
        assertThat(ring.ack(2)).isEqualTo(1);
        assertThat(ring.toArray()).containsExactly(T0 + 9 * 50);
    }

    @Test
    void pastTheBoundTheOldestUnacknowledgedAreDroppedAndCounted() {
        final ReplayRing ring = new ReplayRing(0, 5, 2, 50);
        ring.rewind(false, true);
        int evicted = 0;
        for (int k = 0; k < 12; k++) {
            assertThat(ring.offer(T0 + 50L * k)).isZero(); // no unsent replay entry is dropped
            evicted += ring.lastEvictions();
            write(ring, Integer.MAX_VALUE);
        }
        assertThat(ring.size()).isEqualTo(7); // unackedEntries + maxFresh
        assertThat(evicted).isEqualTo(5);
        assertThat(ring.toArray()).containsExactly(values(5, 7));
        // Line numbers survive the drops: values 5..11 are lines 7..13 of this connection.
        assertThat(ring.ack(8)).isEqualTo(2);
        assertThat(ring.lastAcked()).isEqualTo(T0 + 6 * 50);
        assertThat(ring.toArray()).containsExactly(values(7, 5));
    }

    @Test
    void droppedWhileWaitingToBeSentAgainTheyAreCountedToo() {
        final ReplayRing ring = new ReplayRing(0, 3, 2, 50); // 5 entries at most
        ring.rewind(false, true);
        for (int k = 0; k < 4; k++) {
            offer(ring, k, 1);
            write(ring, Integer.MAX_VALUE);
        }
        ring.rewind(true, true); // a socket that takes nothing: everything waits
        int evicted = 0;
        int droppedReplays = 0;
        for (int k = 4; k < 6; k++) {
            droppedReplays += ring.offer(T0 + 50L * k);
            evicted += ring.lastEvictions();
        }
        assertThat(evicted).isEqualTo(1);
        assertThat(droppedReplays).isEqualTo(1);
        assertThat(write(ring, Integer.MAX_VALUE)).isEqualTo(OPENER + lines(values(1, 5)));
        assertThat(ring.ack(6)).isEqualTo(5);
        assertThat(firstSends).containsExactly(boxed(values(0, 6)));
    }

    @Test
    void randomWritesAcksAndReconnectsLoseNothingUnacknowledged() {
        final Random random = new Random(16);
        final ReplayRing ring = new ReplayRing(3, 1_000_000, 8, 50);
        final List<Long> acked = new ArrayList<>();
        List<Long> sentHere = new ArrayList<>(); // the values of lines 2.. of this connection
        final StringBuilder wire = new StringBuilder();
        ring.rewind(false, true);
        int k = 0;
        for (int step = 0; step < 5_000; step++) {
            final int op = random.nextInt(10);
            if (op < 5) {
                if (ring.offer(T0 + 50L * k) != ReplayRing.REFUSED) {
                    k++;
                }
            } else if (op < 8) {
                wire.append(write(ring, 1 + random.nextInt(60)));
                sentHere = wholeLines(wire.toString());
            } else if (op < 9 && !sentHere.isEmpty()) {
                final int line = 1 + random.nextInt(sentHere.size() + 1);
                final int before = ring.size();
                final int done = ring.ack(line);
                assertThat(before - ring.size()).isGreaterThanOrEqualTo(done);
                for (int j = 0; j < line - 1; j++) {
                    if (!acked.contains(sentHere.get(j))) {
                        acked.add(sentHere.get(j));
                    }
                }
            } else {
                ring.rewind(true, true);
                wire.setLength(0);
                sentHere = new ArrayList<>();
            }
            // Every value taken is acknowledged or still kept, and nothing acknowledged is kept.
            final List<Long> kept = new ArrayList<>();
            for (long v : ring.toArray()) {
                kept.add(v);
            }
            for (int j = 0; j < k; j++) {
                final long v = T0 + 50L * j;
                assertThat(acked.contains(v) != kept.contains(v)).as("value %d", j).isTrue();
            }
        }
    }

    @Test
    void aRingStartsSmallAndGrowsOnlyWhileValuesPileUp() {
        final ReplayRing ring = new ReplayRing(200, 1_200, 8, 50); // --replay 10s, --unacked 60s
        final int initialBytes = ring.deltaBytes();
        assertThat(initialBytes).isLessThanOrEqualTo(2 * 512); // the replay's size, not 60 s
        ring.rewind(false, true);
        final StringBuilder wire = new StringBuilder();
        for (int k = 0; k < 1_000; k++) {
            offer(ring, k, 1);
            wire.append(write(ring, Integer.MAX_VALUE));
        }
        assertThat(wire.toString()).isEqualTo(OPENER + lines(values(0, 1_000)));
        assertThat(ring.toArray()).containsExactly(values(0, 1_000)); // nothing acknowledged: all kept
        assertThat(ring.deltaBytes()).isGreaterThan(initialBytes)
                .isLessThanOrEqualTo((int) ReplayRing.bytesFor(1_200, 8, 50));
        assertThat(ring.ack(1_001)).isEqualTo(1_000);
        final int grown = ring.deltaBytes();
        for (int round = 0; round < 100; round++) { // a steady run after it: no more growth
            offer(ring, 1_000 + round, 1);
            write(ring, Integer.MAX_VALUE);
            ring.ack(1_002 + round);
        }
        assertThat(ring.size()).isZero();
        assertThat(ring.deltaBytes()).isEqualTo(grown);
    }

    @Test
    void aFullRingWhoseNewestIsUnsentGrowsWithItsCursor() {
        // Uneven steps, so that a cursor moved to the wrong slot would read a wrong delta.
        final ReplayRing ring = new ReplayRing(0, 1_000, 8, 50);
        ring.rewind(false, true);
        final List<Long> taken = new ArrayList<>();
        long v = T0;
        final Random random = new Random(7);
        final StringBuilder first = new StringBuilder();
        for (int j = 0; j < 128; j++) {
            v += 1 + random.nextInt(100);
            assertThat(ring.offer(v)).isNotEqualTo(ReplayRing.REFUSED);
            taken.add(v);
            first.append(write(ring, Integer.MAX_VALUE));
        }
        v += 1 + random.nextInt(100);
        ring.offer(v); // 128 deltas: exactly full, and the newest, unsent, follows the last slot
        taken.add(v);
        assertThat(ring.deltaBytes()).isEqualTo(2 * 128);
        v += 1 + random.nextInt(100);
        ring.offer(v); // grows
        taken.add(v);
        assertThat(ring.deltaBytes()).isGreaterThan(2 * 128);
        assertThat(wholeLines(first + write(ring, Integer.MAX_VALUE))).containsExactlyElementsOf(taken);
    }

    @Test
    void growingWhileLinesAreHalfWrittenAndValuesJumpLosesNothing() {
        final Random random = new Random(21);
        final ReplayRing ring = new ReplayRing(2, 5_000, 8, 50);
        ring.rewind(false, true);
        final List<Long> taken = new ArrayList<>();
        final StringBuilder wire = new StringBuilder();
        long v = T0;
        for (int step = 0; step < 20_000; step++) {
            final int op = random.nextInt(10);
            if (op < 6) {
                final long next = v + (random.nextInt(50) == 0 ? 100_000 : 1 + random.nextInt(90)); // some wide
                if (ring.offer(next) != ReplayRing.REFUSED) {
                    v = next;
                    taken.add(v);
                }
            } else if (op < 9) {
                wire.append(write(ring, 1 + random.nextInt(40)));
            } else if (random.nextInt(20) == 0) {
                final List<Long> lines = wholeLines(wire.toString());
                ring.ack(1 + lines.size()); // everything written in full so far
                ring.rewind(true, true);
                wire.setLength(0);
            }
        }
        wire.append(write(ring, Integer.MAX_VALUE));
        final List<Long> last = wholeLines(wire.toString());
        // The last connection's lines are the values not acknowledged before it, in order, whole.
        assertThat(last).isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
        assertThat(taken.subList(taken.size() - last.size(), taken.size())).containsExactlyElementsOf(last);
        assertThat(ring.deltaBytes()).isLessThanOrEqualTo((int) ReplayRing.bytesFor(5_000, 8, 50));
    }

    /** The values of the complete lines after the opener, in order. */
    private static List<Long> wholeLines(String wire) {
        final List<Long> out = new ArrayList<>();
        final String[] parts = wire.split("\n", -1);
        for (int i = 1; i < parts.length - 1; i++) {
            out.add(Long.parseLong(parts[i]));
        }
        return out;
    }

    private void offer(ReplayRing ring, int fromK, int n) {
        for (int j = 0; j < n; j++) {
            assertThat(ring.offer(T0 + 50L * (fromK + j))).isNotEqualTo(ReplayRing.REFUSED);
        }
    }

    private String write(ReplayRing ring, int maxBytes) {
        final StringBuilder out = new StringBuilder();
        int budget = maxBytes;
        while (ring.hasUnsent() && budget > 0) {
            ring.fill(buffer);
            final int n = Math.min(buffer.remaining(), budget);
            final byte[] bytes = new byte[n];
            buffer.get(bytes);
            out.append(new String(bytes, StandardCharsets.US_ASCII));
            ring.consume(n, firstSends::add);
            budget -= n;
        }
        return out.toString();
    }

    private static long[] values(int fromK, int count) {
        final long[] out = new long[count];
        for (int j = 0; j < count; j++) {
            out[j] = T0 + 50L * (fromK + j);
        }
        return out;
    }

    private static Long[] boxed(long[] values) {
        final Long[] out = new Long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static String lines(long[] values) {
        final StringBuilder b = new StringBuilder();
        for (long v : values) {
            b.append(v).append('\n');
        }
        return b.toString();
    }
}
