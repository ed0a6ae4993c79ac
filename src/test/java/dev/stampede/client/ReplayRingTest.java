package dev.stampede.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.RandomCases;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplayRingTest {
    private static final long T0 = 1_700_000_000_000L;

    private final List<Long> firstSends = new ArrayList<>();
    private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);

    @Test
    void keepsTheLastValuesAcrossManyWraparounds() {
        final ReplayRing ring = new ReplayRing(10, 2, 50);
        for (int k = 0; k < 10_000; k++) {
            assertThat(ring.offer(T0 + 50L * k)).isZero();
            sendAll(ring);
        }
        assertThat(ring.size()).isEqualTo(12);
        assertThat(ring.toArray()).containsExactly(expected(9_988, 12));
        assertThat(firstSends).hasSize(10_000);
    }

    @Test
    void aReconnectReplaysTheWindowOnceAndRecordsNothingAgain() {
        final ReplayRing ring = new ReplayRing(5, 2, 50);
        for (int k = 0; k < 20; k++) {
            ring.offer(T0 + 50L * k);
            sendAll(ring);
        }
        firstSends.clear();
        ring.rewind();
        assertThat(ring.unsent()).isEqualTo(5);
        final String wire = write(ring, Integer.MAX_VALUE);
        assertThat(wire).isEqualTo(lines(expected(15, 5)));
        assertThat(firstSends).isEmpty();
        assertThat(ring.unsent()).isZero();
    }

    @Test
    void withoutReplayAReconnectSendsOnlyWhatWasNeverSent() {
        final ReplayRing ring = new ReplayRing(0, 3, 50);
        ring.offer(T0);
        sendAll(ring);
        ring.offer(T0 + 50);
        ring.rewind();
        assertThat(write(ring, Integer.MAX_VALUE)).isEqualTo((T0 + 50) + "\n");
    }

    @Test
    void aFullSocketKeepsASmallBacklogThenRefuses() {
        final ReplayRing ring = new ReplayRing(100, 3, 50);
        assertThat(ring.offer(T0)).isZero();
        assertThat(ring.offer(T0 + 50)).isZero();
        assertThat(ring.offer(T0 + 100)).isZero();
        assertThat(ring.offer(T0 + 150)).isEqualTo(ReplayRing.REFUSED);
        assertThat(ring.fresh()).isEqualTo(3);
        assertThat(write(ring, Integer.MAX_VALUE)).isEqualTo(lines(expected(0, 3)));
        assertThat(firstSends).containsExactly(T0, T0 + 50, T0 + 100);
    }

    @Test
    void aHalfWrittenLineIsFinishedNeverCut() {
        final ReplayRing ring = new ReplayRing(2, 1, 50);
        ring.offer(T0);
        assertThat(write(ring, 5)).isEqualTo(String.valueOf(T0).substring(0, 5));
        assertThat(firstSends).isEmpty();
        // The backlog (1) is full: a new tick is refused rather than cut the line on the wire.
        assertThat(ring.offer(T0 + 50)).isEqualTo(ReplayRing.REFUSED);
        assertThat(write(ring, Integer.MAX_VALUE)).isEqualTo(String.valueOf(T0).substring(5) + "\n");
        assertThat(firstSends).containsExactly(T0);
    }

    @Test
    void bigGapsAndAClockSteppedBackAreKept() {
        final ReplayRing ring = new ReplayRing(6, 2, 50);
        final long[] values = {T0, T0 + 50, T0 + 3_600_000, T0 + 3_600_050, T0 - 1_000, T0 - 950, 5, T0};
        for (long v : values) {
            ring.offer(v);
            sendAll(ring);
        }
        assertThat(ring.toArray()).containsExactly(values);
        ring.rewind();
        assertThat(write(ring, Integer.MAX_VALUE)).isEqualTo(lines(java.util.Arrays.copyOfRange(values, 2, 8)));
    }

    @Test
    void memoryIsTwoBytesAValue() {
        final ReplayRing ring = new ReplayRing(201, 8, 50); // 10 s at 50 ms
        assertThat(ring.deltaBytes()).isLessThanOrEqualTo(2 * 512);
        final ReplayRing slow = new ReplayRing(11, 8, 1_000); // 10 s at 1 s
        assertThat(slow.deltaBytes()).isLessThanOrEqualTo(2 * 32);
    }

    /**
     * Any mix of ticks, short writes and reconnects: the ring keeps a suffix of what it took;
     * every line on the wire is whole and in order; each value is reported sent exactly once,
     * or is still waiting; nothing taken is lost.
     */
    @TestFactory
    Stream<DynamicTest> wholeLinesInOrderAndEachValueReportedOnce() {
        return RandomCases.of("replayRing", 400, r -> wholeLinesInOrderAndEachValueReportedOnce(
                RandomCases.ints(r, 1, 300, 0, 99), r.nextInt(21), 1 + r.nextInt(5)));
    }

    private void wholeLinesInOrderAndEachValueReportedOnce(List<Integer> ops, int replayEntries, int maxFresh) {
        firstSends.clear(); // every case runs on the same instance
        final ReplayRing ring = new ReplayRing(replayEntries, maxFresh, 50);
        final List<Long> taken = new ArrayList<>();
        final Set<Long> onWire = new HashSet<>();
        StringBuilder wire = new StringBuilder();
        long value = T0;
        for (int op : ops) {
            if (op < 50) {
                value += op < 45 ? 1 + op : 70_000L * op; // mostly small steps, sometimes a wide one
                if (ring.offer(value) != ReplayRing.REFUSED) {
                    taken.add(value);
                }
            } else if (op < 90) {
                wire.append(write(ring, op < 70 ? Integer.MAX_VALUE : op - 70));
            } else {
                checkWire(wire.toString(), taken, onWire);
                wire = new StringBuilder();
                ring.rewind();
                assertThat(ring.unsent()).isEqualTo(Math.min(ring.size(), ring.fresh() + replayEntries));
            }
            assertThat(ring.fresh()).isLessThanOrEqualTo(ring.unsent()).isLessThanOrEqualTo(maxFresh + replayEntries);
            assertThat(ring.unsent()).isLessThanOrEqualTo(ring.size());
            assertThat(ring.size()).isLessThanOrEqualTo(ring.capacity());
            assertThat(ring.toArray()).containsExactly(expectedSuffix(taken, ring.size()));
        }
        checkWire(wire.toString(), taken, onWire);
        assertThat(new HashSet<>(firstSends)).hasSameSizeAs(firstSends).isEqualTo(onWire);
        assertThat(firstSends.size() + ring.fresh()).isEqualTo(taken.size());
    }

    /** Complete lines are values taken, in increasing order; a cut last line is a prefix. */
    private static void checkWire(String wire, List<Long> taken, Set<Long> onWire) {
        final Set<Long> takenSet = new HashSet<>(taken);
        long previous = Long.MIN_VALUE;
        final String[] parts = wire.split("\n", -1);
        for (int j = 0; j < parts.length - 1; j++) {
            final long v = Long.parseLong(parts[j]);
            assertThat(takenSet).contains(v);
            assertThat(v).isGreaterThan(previous);
            previous = v;
            onWire.add(v);
        }
        assertThat(parts[parts.length - 1]).matches("\\d*");
    }

    private String write(ReplayRing ring, int maxBytes) {
        final StringBuilder out = new StringBuilder();
        int budget = maxBytes;
        while (ring.unsent() > 0 && budget > 0) {
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

    private void sendAll(ReplayRing ring) {
        write(ring, Integer.MAX_VALUE);
    }

    private static long[] expected(int fromK, int count) {
        final long[] out = new long[count];
        for (int j = 0; j < count; j++) {
            out[j] = T0 + 50L * (fromK + j);
        }
        return out;
    }

    private static long[] expectedSuffix(List<Long> taken, int size) {
        return taken.subList(taken.size() - size, taken.size()).stream().mapToLong(Long::longValue).toArray();
    }

    private static String lines(long[] values) {
        final StringBuilder b = new StringBuilder();
        for (long v : values) {
            b.append(v).append('\n');
        }
        return b.toString();
    }
}
