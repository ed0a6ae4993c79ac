package dev.stampede.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class FinalMergeTest {
    private static final long T = 1_800_000_000_000L;
    private final CollectingSink sink = new CollectingSink();
    private final FinalMerge merge = new FinalMerge(EngineConfig.of(500, 5_000), 2, T, sink);

    @Test
    void releasesBelowTheLowestInputWatermarkInOrder() {
        merge.offer(T + 3, 1);
        merge.offer(T + 1, 1);
        merge.advance(0, T + 4);
        assertThat(sink.finals).as("input 1 has said nothing yet").isEmpty();
        merge.offer(T + 2, 1);
        merge.advance(1, T + 3);
        assertThat(sink.finals).containsExactly(T + 1, T + 2);
        merge.advance(1, T + 10);
        assertThat(sink.finals).containsExactly(T + 1, T + 2, T + 3);
        assertThat(merge.watermark()).isEqualTo(T + 4);
    }

    @Test
    void theSameValueFromTwoInputsIsWrittenOnce() {
        merge.offer(T + 5, 1);
        merge.offer(T + 5, 1);
        merge.advance(0, T + 6);
        merge.advance(1, T + 6);
        assertThat(sink.finals).containsExactly(T + 5);
        assertThat(merge.duplicates()).isEqualTo(1);
        assertThat(merge.offer(T + 5, 1)).as("again, once released").isEqualTo(FinalMerge.DUPLICATE);
        assertThat(merge.duplicates()).isEqualTo(2);
    }

    @Test
    void aValueLateForOneInputButAboveTheMergeIsStillInTime() {
        merge.advance(0, T + 100); // input 0 is far ahead
        merge.advance(1, T + 10);
        // Input 0 found T + 50 below its own watermark: late there, but M is only T + 10.
        assertThat(merge.offer(T + 50, 1)).isEqualTo(FinalMerge.ACCEPTED);
        assertThat(merge.offer(T + 5, 1)).as("below M, never released").isEqualTo(FinalMerge.LATE);
        merge.advance(1, T + 200);
        assertThat(sink.finals).containsExactly(T + 50);
        assertThat(sink.late).containsExactly(T + 5);
        assertThat(merge.late()).isEqualTo(1);
    }

    @Test
    void anEndedInputHoldsNothingAndDrainReleasesUpToTheClock() {
        merge.offer(T + 1, 1);
        merge.offer(T + 7, 1);
        merge.advance(0, Long.MAX_VALUE);
        assertThat(sink.finals).isEmpty();
        merge.advance(1, T + 2);
        assertThat(sink.finals).containsExactly(T + 1);
        merge.offer(T + 9, 1);
        merge.advance(1, Long.MAX_VALUE);
        merge.drain(T + 8);
        assertThat(sink.finals).containsExactly(T + 1, T + 7);
        assertThat(sink.late).as("ahead of the clock at the end").containsExactly(T + 9);
        assertThat(merge.pendingValues()).isZero();
    }

    @Test
    void keepsEveryCopyWhenDuplicatesAreKept() {
        final FinalMerge keep = new FinalMerge(EngineConfig.of(500, 5_000).toBuilder().keepDuplicates(true).build(), 2, T, sink);
        keep.offer(T + 1, 2);
        keep.offer(T + 1, 1);
        keep.advance(0, T + 5);
        keep.advance(1, T + 5);
        assertThat(sink.finals).containsExactly(T + 1, T + 1, T + 1);
    }

    @Test
    void resumesAboveAnEarlierRunAndKnowsItsTail() {
        final FinalMerge resumed = new FinalMerge(EngineConfig.of(500, 5_000), 2, T, sink);
        resumed.resumeAfter(T + 100);
        resumed.markReleased(T + 90);
        assertThat(resumed.watermark()).isEqualTo(T + 101);
        assertThat(resumed.offer(T + 90, 1)).isEqualTo(FinalMerge.DUPLICATE);
        assertThat(resumed.offer(T + 91, 1)).isEqualTo(FinalMerge.LATE);
    }

    /**
     * Two engines splitting random sources, merged, write what one engine over all of them
     * writes: the same values, ascending and unique (values final in both runs).
     */
    @Test
    void twoEnginesMergedWriteWhatOneEngineWrites() {
        final Random random = new Random(42);
        final EngineConfig config = EngineConfig.of(10_000, 60_000);
        final CollectingSink single = new CollectingSink();
        final OrderingEngine one = new OrderingEngine(config, single);
        final FinalMerge two = new FinalMerge(config, 2, T - 120_000, sink);
        final List<OrderingEngine> engines = new ArrayList<>();
        final List<CollectingSink> outs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            final CollectingSink out = new CollectingSink();
            outs.add(out);
            engines.add(new OrderingEngine(config, out));
        }
        final int sources = 8;
        final int[] oneIds = new int[sources];
        final int[] loopIds = new int[sources];
        final long[] next = new long[sources];
        for (int s = 0; s < sources; s++) {
            oneIds[s] = one.addSource(0);
            loopIds[s] = engines.get(s % 2).addSource(0);
            next[s] = T + random.nextInt(20);
        }
        final TreeSet<Long> sent = new TreeSet<>();
        long now = 0;
        for (int step = 0; step < 5_000; step++) {
            now++;
            final int s = random.nextInt(sources);
            next[s] += random.nextInt(3);
            sent.add(next[s]);
            one.offer(oneIds[s], next[s], now, T + 10_000);
            engines.get(s % 2).offer(loopIds[s], next[s], now, T + 10_000);
            if (step % 7 == 0) {
                one.advance(now, T + 10_000);
                for (int i = 0; i < 2; i++) {
                    final OrderingEngine e = engines.get(i);
                    final OrderingEngine peer = engines.get(1 - i);
                    e.advance(now, T + 10_000, peer.frontier(), peer.newest());
                    feed(two, i, outs.get(i), e.watermark());
                }
            }
        }
        one.drain(T + 10_000);
        for (int i = 0; i < 2; i++) {
            engines.get(i).drain(T + 10_000);
            feed(two, i, outs.get(i), Long.MAX_VALUE);
        }
        two.drain(T + 10_000);
        assertThat(single.late).isEmpty();
        assertThat(sink.late).isEmpty();
        assertThat(sink.finals).containsExactlyElementsOf(single.finals).containsExactlyElementsOf(sent);
    }

    private static void feed(FinalMerge merge, int input, CollectingSink out, long watermark) {
        for (long v : out.finals) {
            merge.offer(v, 1);
        }
        for (long v : out.late) {
            merge.offer(v, 1);
        }
        out.finals.clear();
        out.late.clear();
        merge.advance(input, watermark);
    }
}
