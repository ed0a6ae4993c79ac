package dev.stampede.engine;

import static dev.stampede.engine.OrderingEngine.ACCEPTED;
import static dev.stampede.engine.OrderingEngine.AHEAD;
import static dev.stampede.engine.OrderingEngine.DUPLICATE;
import static dev.stampede.engine.OrderingEngine.LATE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * The engine's rules one by one. Monotonic time starts at 0; the event-time clock is
 * {@code T + clockOffset + now}, so that values near T are a little in the past unless a test says
 * otherwise.
 */
class OrderingEngineTest {
    private static final long IDLE = 500;
    private static final long MAX_DELAY = 5_000;
    private static final long AHEAD_MS = 60_000;
    private static final long T = 1_750_000_000_000L;

    private final CollectingSink sink = new CollectingSink();
    private final OrderingEngine engine = new OrderingEngine(EngineConfig.of(IDLE, MAX_DELAY), sink);
    private long clockOffset = 1_000;

    private long clock(long now) {
        return T + clockOffset + now;
    }

    private int offer(OrderingEngine e, int source, long value, long now) {
        return e.offer(source, value, now, clock(now));
    }

    private int offer(int source, long value, long now) {
        return offer(engine, source, value, now);
    }

    private void advance(long now) {
        engine.advance(now, clock(now));
    }

    @Test
    void watermarkIsTheLowestLatestOfTheActiveSources() {
        final int a = engine.addSource(0);
        final int b = engine.addSource(0);
        offer(a, T + 10, 1);
        offer(b, T + 5, 1);
        offer(a, T + 20, 2);
        advance(3);
        assertThat(engine.watermark()).isEqualTo(T + 5);
        assertThat(sink.finals).isEmpty(); // T+5 itself may come again from b
        offer(b, T + 30, 4);
        advance(5);
        assertThat(engine.watermark()).isEqualTo(T + 20);
        assertThat(sink.finals).containsExactly(T + 5, T + 10);
    }

    @Test
    void aNewSourceHoldsTheWatermarkUntilItSendsOrGoesIdle() {
        final int a = engine.addSource(0);
        offer(a, T, 0);
        offer(a, T + 1, 0);
        advance(1);
        assertThat(sink.finals).containsExactly(T);
        engine.addSource(10); // silent
        offer(a, T + 2, 20);
        advance(20);
        assertThat(sink.finals).containsExactly(T);
        offer(a, T + 3, 100);
        advance(10 + IDLE); // the silent one is idle now; a is the only active source
        assertThat(sink.finals).containsExactly(T, T + 1, T + 2);
    }

    @Test
    void anIdleSourceStopsHoldingAndHoldsAgainWhenItSends() {
        final int a = engine.addSource(0);
        final int b = engine.addSource(0);
        offer(a, T, 0);
        offer(b, T, 0);
        for (int i = 1; i <= 10; i++) {
            offer(a, T + i, i * 100L); // b falls silent after T
            advance(i * 100L);
        }
        // b went idle at 500 ms: W follows a alone.
        assertThat(engine.watermark()).isEqualTo(T + 10);
        assertThat(sink.finals).hasSize(10).startsWith(T).endsWith(T + 9);
        assertThat(engine.activeSources()).isEqualTo(1);
        offer(b, T + 12, 1_050);
        offer(a, T + 50, 1_050);
        advance(1_050);
        assertThat(engine.watermark()).isEqualTo(T + 12);
        assertThat(engine.activeSources()).isEqualTo(2);
    }

    @Test
    void maxDelayBoundsTheLagBehindTheClock() {
        final int slow = engine.addSource(0);
        final int fast = engine.addSource(0);
        offer(slow, T, 0);
        offer(fast, T + 1, 0);
        advance(0);
        assertThat(sink.finals).isEmpty(); // slow holds W at T
        clockOffset = MAX_DELAY + 100; // the clock moves on; slow says nothing new but is not idle
        offer(fast, T + MAX_DELAY + 90, 1);
        advance(2);
        assertThat(engine.watermark()).isEqualTo(clock(2) - MAX_DELAY);
        assertThat(sink.finals).containsExactly(T, T + 1);
        assertThat(offer(slow, T + 50, 3)).isEqualTo(LATE); // behind the bound: late, the others wait no longer
    }

    @Test
    void theNewestValueDoesNotDragTheWatermark() {
        final int a = engine.addSource(0);
        final int b = engine.addSource(0);
        offer(a, T, 0);
        offer(b, T + MAX_DELAY * 3, 0); // 14 s ahead of the clock: it waits, and a still decides W
        advance(1);
        assertThat(engine.watermark()).isEqualTo(T); // a's latest, not newest - max delay
        assertThat(sink.late).isEmpty();
    }

    @Test
    void aValueFromTheFutureWaitsForTheClockAndMakesNobodyLate() {
        final int ahead = engine.addSource(0);
        final int others = engine.addSource(0);
        final long future = clock(0) + 50_000; // a clock 50 s fast
        assertThat(offer(ahead, future, 0)).isEqualTo(ACCEPTED);
        for (long now = 10; now <= 2_000; now += 10) {
            offer(others, clock(now) - 5, now);
            offer(ahead, future + now, now);
            advance(now);
            assertThat(engine.watermark()).isLessThanOrEqualTo(clock(now));
        }
        assertThat(sink.late).isEmpty();
        assertThat(sink.finals).hasSizeGreaterThan(150).allMatch(v -> v < T + clockOffset + 2_000);
        assertThat(engine.pendingValues()).isGreaterThan(200); // the future values, waiting
        clockOffset += 60_000; // real time reaches them
        advance(2_010);
        assertThat(sink.finals).contains(future, future + 2_000);
        assertThat(sink.late).isEmpty();
    }

    @Test
    void withNoActiveSourceAFutureValueStillWaitsForTheClock() {
        final int a = engine.addSource(0);
        offer(a, clock(0) + 10_000, 0);
        engine.removeSource(a);
        advance(100);
        assertThat(sink.finals).isEmpty();
        clockOffset += 10_001;
        advance(200);
        assertThat(sink.finals).containsExactly(T + 1_000 + 10_000);
    }

    @Test
    void aValueFurtherAheadThanTheWindowIsRefused() {
        final int a = engine.addSource(0);
        assertThat(offer(a, clock(0) + AHEAD_MS + 1, 0)).isEqualTo(AHEAD);
        assertThat(engine.refusedAhead()).isEqualTo(1);
        assertThat(engine.offered()).isZero();
        assertThat(offer(a, clock(0) + AHEAD_MS, 0)).isEqualTo(ACCEPTED);
    }

    @Test
    void drainWritesUpToTheClockAndReportsTheFutureLate() {
        final int a = engine.addSource(0);
        final int b = engine.addSource(0);
        offer(a, T + 1, 0);
        offer(b, clock(0) + 30_000, 0);
        offer(b, clock(0) + 30_001, 0);
        engine.drain(clock(0));
        assertThat(sink.finals).containsExactly(T + 1);
        assertThat(sink.late).containsExactly(clock(0) + 30_000, clock(0) + 30_001);
        assertThat(engine.pendingValues()).isZero();
        assertThat(engine.offered()).isEqualTo(engine.released() + engine.late());
    }

    @Test
    void duplicatesCollapseWhetherPendingOrWritten() {
        final int a = engine.addSource(0);
        final int b = engine.addSource(0);
        assertThat(offer(a, T, 0)).isEqualTo(ACCEPTED);
        assertThat(offer(b, T, 0)).isEqualTo(DUPLICATE);
        offer(a, T + 10, 1);
        offer(b, T + 10, 1);
        offer(a, T + 20, 2);
        offer(b, T + 20, 2);
        advance(3);
        assertThat(sink.finals).containsExactly(T, T + 10);
        assertThat(offer(b, T + 10, 4)).isEqualTo(DUPLICATE); // written already: a duplicate, not late
        assertThat(offer(b, T + 11, 4)).isEqualTo(LATE); // never written: late
        assertThat(sink.late).containsExactly(T + 11);
        assertThat(engine.duplicates()).isEqualTo(4);
        assertThat(engine.late()).isEqualTo(1);
    }

    @Test
    void keepDuplicatesWritesEveryCopyInOrder() {
        final OrderingEngine keep = new OrderingEngine(EngineConfig.of(IDLE, MAX_DELAY).toBuilder().keepDuplicates(true).build(), sink);
        final int a = keep.addSource(0);
        final int b = keep.addSource(0);
        offer(keep, a, T, 0);
        offer(keep, b, T, 0);
        offer(keep, a, T, 0);
        offer(keep, b, T + 1, 0);
        keep.drain(clock(0));
        assertThat(sink.finals).containsExactly(T, T, T, T + 1);
        assertThat(offer(keep, a, T, 1)).isEqualTo(LATE); // below W with duplicates kept: late
    }

    @Test
    void drainReleasesEverythingPendingUpToTheClock() {
        final int a = engine.addSource(0);
        engine.addSource(0); // silent, holding W
        offer(a, T + 3, 0);
        offer(a, T + 1, 0); // out of order within a source is still pending
        advance(1);
        assertThat(sink.finals).isEmpty();
        engine.drain(clock(1));
        assertThat(sink.finals).containsExactly(T + 1, T + 3);
        assertThat(engine.pendingValues()).isZero();
    }

    @Test
    void noActiveSourceMeansEverythingUpToTheClockIsFinal() {
        final int a = engine.addSource(0);
        offer(a, T, 0);
        offer(a, T + 7, 0);
        engine.removeSource(a);
        advance(1);
        assertThat(sink.finals).containsExactly(T, T + 7);
        assertThat(engine.watermark()).isEqualTo(T + 8); // not the clock: a slow client may connect next
    }

    @Test
    void aClockJumpReleasesInOrderAndForgetsOldHistory() {
        final int a = engine.addSource(0);
        final int b = engine.addSource(0);
        offer(a, T, 0);
        offer(b, T + 1, 0);
        clockOffset = 10_000_000; // the server's clock steps hours ahead
        offer(a, T + 10_000_000, 1);
        assertThat(sink.finals).containsExactly(T, T + 1);
        assertThat(offer(b, T + 2, 2)).isEqualTo(LATE);
        assertThat(offer(b, T, 2)).isEqualTo(LATE); // beyond the history: cannot tell, so late
        engine.drain(clock(2));
        assertThat(sink.finals).containsExactly(T, T + 1, T + 10_000_000);
    }

    @Test
    void aJumpLongerThanTheRingLeavesNoPhantomStaleSource() {
        // A small window (ring of 2,048 ms) and sources that jump 10 s: the jump must not latch a
        // source's new latest into a ring slot the watermark is about to pass.
        final OrderingEngine small = new OrderingEngine(EngineConfig.builder().idleTimeoutMs(IDLE).maxDelayMs(100).maxAheadMs(1_000)
                .holdLagMs(100).historyMs(1 << 16).build(), sink);
        final int a = small.addSource(0);
        final int b = small.addSource(0);
        small.offer(a, T, 0, T);
        small.offer(b, T, 0, T);
        small.advance(1, T + 1);
        final long jump = T + 10_000;
        small.offer(a, jump + 20, 2, jump + 30);
        small.offer(b, jump + 25, 2, jump + 30);
        small.advance(3, jump + 30);
        assertThat(small.watermark()).isEqualTo(jump + 20); // a's latest, not the clock - max delay
        small.offer(b, jump + 40, 4, jump + 50);
        small.offer(a, jump + 41, 4, jump + 50);
        small.advance(5, jump + 50);
        assertThat(small.watermark()).isEqualTo(jump + 40);
        assertThat(sink.late).isEmpty();
    }

    @Test
    void holdKeepsTheWatermarkAtTheHoldLagBehindTheClock() {
        final OrderingEngine held = new OrderingEngine(EngineConfig.builder().idleTimeoutMs(IDLE).maxDelayMs(MAX_DELAY)
                .maxAheadMs(AHEAD_MS).holdLagMs(20_000).historyMs(1 << 16).build(), sink);
        held.holdUntil(1_000);
        final int a = held.addSource(0);
        held.offer(a, T, 0, T + 10_000); // 10 s old: beyond max delay, within the hold lag
        held.offer(a, T + 9_000, 10, T + 10_000);
        held.advance(600, T + 10_600); // a is idle and nothing else is active, still held
        assertThat(sink.finals).isEmpty();
        assertThat(sink.late).isEmpty();
        held.advance(1_000, T + 11_000);
        assertThat(sink.finals).containsExactly(T, T + 9_000);
    }

    @Test
    void afterALongOutageTheWatermarkCatchesUpAsSoonAsTheHoldEnds() {
        final long now0 = T + 3_600_000; // the file ends an hour ago
        final OrderingEngine e = new OrderingEngine(EngineConfig.builder().idleTimeoutMs(IDLE).maxDelayMs(MAX_DELAY)
                .maxAheadMs(AHEAD_MS).holdLagMs(18_000).historyMs(1 << 20).build(), sink);
        e.resumeAfter(T);
        e.holdUntil(3_000);
        final int a = e.addSource(0);
        final int b = e.addSource(0);
        for (long now = 0; now <= 3_500; now += 50) {
            e.offer(a, now0 + now - 2, now, now0 + now);
            e.offer(b, now0 + now - 1, now, now0 + now);
            e.advance(now, now0 + now);
            if (now < 3_000) {
                assertThat(e.watermark()).isEqualTo(now0 + now - 18_000);
            } else {
                assertThat(e.watermark()).as("at %d ms", now).isEqualTo(now0 + now - 2);
            }
        }
        assertThat(sink.late).isEmpty();
    }

    @Test
    void aPromiseHoldsLikeAValueButKeepsNoSourceAlive() {
        final int a = engine.addSource(0);
        final int b = engine.addSource(0);
        offer(a, T + 10, 0);
        offer(b, T + 5, 0);
        engine.promise(b, T + 20, 1, clock(1)); // b: nothing below T + 20 will come
        advance(1);
        assertThat(engine.watermark()).isEqualTo(T + 10); // a's latest decides now
        assertThat(sink.finals).containsExactly(T + 5);
        for (long now = 100; now <= 1_000; now += 100) {
            offer(a, T + 100 + now, now);
            engine.promise(b, T + 100 + now, now, clock(now)); // promises, but no values
            advance(now);
        }
        assertThat(engine.activeSources()).as("b went idle: promises are not values").isEqualTo(1);
        engine.heard(b, 1_100);
        assertThat(engine.activeSources()).isEqualTo(2);
        assertThat(offer(b, T + 1_101, 1_100)).isEqualTo(ACCEPTED);
    }

    @Test
    void promisesAloneMoveTheWatermark() {
        // Two sources that have sent nothing yet, each promising: W goes to the lower promise.
        final int a = engine.addSource(0);
        final int b = engine.addSource(0);
        engine.resumeAfter(T);
        engine.heard(a, 1);
        engine.heard(b, 1);
        engine.promise(a, T + 300, 1, clock(1));
        engine.promise(b, T + 200, 1, clock(1));
        advance(1);
        assertThat(engine.watermark()).isEqualTo(T + 200);
        assertThat(offer(b, T + 250, 2)).isEqualTo(ACCEPTED);
        assertThat(offer(b, T + 150, 2)).isEqualTo(LATE);
    }

    @Test
    void resumeStartsAboveTheLastWrittenValueAndKnowsItsHistory() {
        engine.resumeAfter(T + 100);
        engine.markReleased(T + 100);
        engine.markReleased(T + 90);
        final int a = engine.addSource(0);
        assertThat(offer(a, T + 90, 0)).isEqualTo(DUPLICATE);
        assertThat(offer(a, T + 100, 0)).isEqualTo(DUPLICATE);
        assertThat(offer(a, T + 95, 0)).isEqualTo(LATE);
        assertThat(offer(a, T + 101, 0)).isEqualTo(ACCEPTED);
        engine.drain(clock(0));
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
            offer(a, T + i, i);
            offer(b, T + i, i);
            advance(i);
        }
        offer(b, T - 1_000, 100);
        assertThat(engine.offered()).isEqualTo(engine.released() + engine.duplicates() + engine.late()
                + engine.pendingValues());
        assertThat(engine.late()).isEqualTo(1);
    }
}
