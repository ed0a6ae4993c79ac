package dev.stampede.engine;

import static dev.stampede.engine.OrderingEngine.ACCEPTED;
import static dev.stampede.engine.OrderingEngine.DUPLICATE;
import static dev.stampede.engine.OrderingEngine.LATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class OrderingEngineTest {
    private static final long IDLE = 500;
    private static final long MAX_DELAY = 5_000;
    private static final long T = 1_750_000_000_000L;

    private final CollectingSink sink = new CollectingSink();
    private final OrderingEngine engine = new OrderingEngine(new EngineConfig(IDLE, MAX_DELAY, false, 1 << 16), sink);

    @Test
    void watermarkIsTheLowestLatestOfTheActiveSources() {
        final int a = engine.addSource(0);
        final int b = engine.addSource(0);
        engine.offer(a, T + 10, 1);
        engine.offer(b, T + 5, 1);
        engine.offer(a, T + 20, 2);
        engine.advance(3);
        assertThat(engine.watermark()).isEqualTo(T + 5);
        assertThat(sink.finals).isEmpty(); // T+5 itself may come again from b
        engine.offer(b, T + 30, 4);
        engine.advance(5);
        assertThat(engine.watermark()).isEqualTo(T + 20);
        assertThat(sink.finals).containsExactly(T + 5, T + 10);
    }

    @Test
    void aNewSourceHoldsTheWatermarkUntilItSendsOrGoesIdle() {
        final int a = engine.addSource(0);
        engine.offer(a, T, 0);
        engine.offer(a, T + 1, 0);
        engine.advance(1);
        assertThat(sink.finals).containsExactly(T);
        engine.addSource(10); // silent
        engine.offer(a, T + 2, 20);
        engine.advance(20);
        assertThat(sink.finals).containsExactly(T);
        engine.offer(a, T + 3, 100);
        engine.advance(10 + IDLE); // the silent one is idle now; a is the only active source
        assertThat(sink.finals).containsExactly(T, T + 1, T + 2);
    }

    @Test
    void anIdleSourceStopsHoldingAndHoldsAgainWhenItSends() {
        final int a = engine.addSource(0);
        final int b = engine.addSource(0);
        engine.offer(a, T, 0);
        engine.offer(b, T, 0);
        for (int i = 1; i <= 10; i++) {
            engine.offer(a, T + i, i * 100L); // b falls silent after T
            engine.advance(i * 100L);
        }
        // b went idle at 500 ms: W follows a alone.
        assertThat(engine.watermark()).isEqualTo(T + 10);
        assertThat(sink.finals).hasSize(10).startsWith(T).endsWith(T + 9);
        assertThat(engine.activeSources()).isEqualTo(1);
        engine.offer(b, T + 12, 1_050);
        engine.offer(a, T + 50, 1_050);
        engine.advance(1_050);
        assertThat(engine.watermark()).isEqualTo(T + 12);
        assertThat(engine.activeSources()).isEqualTo(2);
    }

    @Test
    void maxDelayBoundsTheWait() {
        final int slow = engine.addSource(0);
        final int fast = engine.addSource(0);
        engine.offer(slow, T, 0);
        engine.offer(fast, T + 1, 0);
        engine.offer(fast, T + MAX_DELAY + 100, 1);
        assertThat(engine.watermark()).isEqualTo(T + 100);
        assertThat(sink.finals).containsExactly(T, T + 1);
        engine.advance(2); // slow is behind W but not idle: W holds at newest - max delay
        assertThat(engine.watermark()).isEqualTo(T + 100);
    }

    @Test
    void duplicatesCollapseWhetherPendingOrWritten() {
        final int a = engine.addSource(0);
        final int b = engine.addSource(0);
        assertThat(engine.offer(a, T, 0)).isEqualTo(ACCEPTED);
        assertThat(engine.offer(b, T, 0)).isEqualTo(DUPLICATE);
        engine.offer(a, T + 10, 1);
        engine.offer(b, T + 10, 1);
        engine.offer(a, T + 20, 2);
        engine.offer(b, T + 20, 2);
        engine.advance(3);
        assertThat(sink.finals).containsExactly(T, T + 10);
        assertThat(engine.offer(b, T + 10, 4)).isEqualTo(DUPLICATE); // written already: a duplicate, not late
        assertThat(engine.offer(b, T + 11, 4)).isEqualTo(LATE); // never written: late
        assertThat(sink.late).containsExactly(T + 11);
        assertThat(engine.duplicates()).isEqualTo(4);
        assertThat(engine.late()).isEqualTo(1);
    }

    @Test
    void keepDuplicatesWritesEveryCopyInOrder() {
        final OrderingEngine keep = new OrderingEngine(new EngineConfig(IDLE, MAX_DELAY, true, 1 << 16), sink);
        final int a = keep.addSource(0);
        final int b = keep.addSource(0);
        keep.offer(a, T, 0);
        keep.offer(b, T, 0);
        keep.offer(a, T, 0);
        keep.offer(b, T + 1, 0);
        keep.drain();
        assertThat(sink.finals).containsExactly(T, T, T, T + 1);
        assertThat(keep.offer(a, T, 1)).isEqualTo(LATE); // below W with duplicates kept: late
    }

    @Test
    void drainReleasesEverythingPending() {
        final int a = engine.addSource(0);
        engine.addSource(0); // silent, holding W
        engine.offer(a, T + 3, 0);
        engine.offer(a, T + 1, 0); // out of order within a source is still pending
        engine.advance(1);
        assertThat(sink.finals).isEmpty();
        engine.drain();
        assertThat(sink.finals).containsExactly(T + 1, T + 3);
        assertThat(engine.pendingValues()).isZero();
    }

    @Test
    void noActiveSourceMeansEverythingIsFinal() {
        final int a = engine.addSource(0);
        engine.offer(a, T, 0);
        engine.offer(a, T + 7, 0);
        engine.removeSource(a);
        engine.advance(1);
        assertThat(sink.finals).containsExactly(T, T + 7);
    }

    @Test
    void aBigJumpForwardReleasesInOrderAndForgetsOldHistory() {
        final int a = engine.addSource(0);
        final int b = engine.addSource(0);
        engine.offer(a, T, 0);
        engine.offer(b, T + 1, 0);
        engine.offer(a, T + 10_000_000, 1); // hours ahead: W = newest - max delay
        assertThat(sink.finals).containsExactly(T, T + 1);
        assertThat(engine.offer(b, T + 2, 2)).isEqualTo(LATE);
        assertThat(engine.offer(b, T, 2)).isEqualTo(LATE); // beyond the history: cannot tell, so late
        engine.drain();
        assertThat(sink.finals).containsExactly(T, T + 1, T + 10_000_000);
    }

    @Test
    void holdKeepsTheWatermarkStillWithinCapacity() {
        final OrderingEngine held = new OrderingEngine(new EngineConfig(IDLE, MAX_DELAY, false, 1 << 16), sink, 20_000);
        held.holdUntil(1_000);
        final int a = held.addSource(0);
        held.offer(a, T, 0);
        held.offer(a, T + MAX_DELAY + 500, 10); // would pass max delay, but the hold wins
        held.advance(600); // a is idle and nothing else is active, still held
        assertThat(sink.finals).isEmpty();
        held.advance(1_000);
        assertThat(sink.finals).containsExactly(T, T + MAX_DELAY + 500);
    }

    @Test
    void resumeStartsAboveTheLastWrittenValueAndKnowsItsHistory() {
        engine.resumeAfter(T + 100);
        engine.markReleased(T + 100);
        engine.markReleased(T + 90);
        final int a = engine.addSource(0);
        assertThat(engine.offer(a, T + 90, 0)).isEqualTo(DUPLICATE);
        assertThat(engine.offer(a, T + 100, 0)).isEqualTo(DUPLICATE);
        assertThat(engine.offer(a, T + 95, 0)).isEqualTo(LATE);
        assertThat(engine.offer(a, T + 101, 0)).isEqualTo(ACCEPTED);
        engine.drain();
        assertThat(sink.finals).containsExactly(T + 101);
    }

    @Test
    void sourceIdsAreReusedAndUnknownOnesRefused() {
        final int a = engine.addSource(0);
        engine.removeSource(a);
        assertThat(engine.addSource(0)).isEqualTo(a);
        assertThatThrownBy(() -> engine.removeSource(12345)).isInstanceOf(IllegalArgumentException.class);
        for (int i = 0; i < 5_000; i++) {
            engine.addSource(0); // the table grows
        }
        assertThat(engine.openSources()).isEqualTo(5_001);
    }

    @Test
    void countsAddUp() {
        final int a = engine.addSource(0);
        final int b = engine.addSource(0);
        for (int i = 0; i < 100; i++) {
            engine.offer(a, T + i, i);
            engine.offer(b, T + i, i);
            engine.advance(i);
        }
        engine.offer(b, T - 1_000, 100);
        assertThat(engine.offered()).isEqualTo(engine.released() + engine.duplicates() + engine.late()
                + engine.pendingValues());
        assertThat(engine.late()).isEqualTo(1);
    }
}
