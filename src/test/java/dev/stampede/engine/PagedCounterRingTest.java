package dev.stampede.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link PagedCounterRing}: counts like an {@code int[]} over the ring (checked against one, on
 * random operations), makes a page only where a counter is not zero, and takes released pages
 * again instead of making new ones.
 */
class PagedCounterRingTest {
    private static final int SLOTS = 1 << 16;
    private static final int PAGE = PagedCounterRing.PAGE_SLOTS;

    @Test
    void countsAsAnArrayWouldOnRandomOperations() {
        final PagedCounterRing ring = new PagedCounterRing(SLOTS);
        final int[] expected = new int[SLOTS];
        final Random random = new Random(19);
        for (int i = 0; i < 200_000; i++) {
            // Slots beyond the ring's size wrap, as the engine's milliseconds do.
            final long slot = 1_700_000_000_000L + random.nextInt(3 * PAGE);
            final int s = (int) slot & (SLOTS - 1);
            switch (random.nextInt(3)) {
                case 0 -> {
                    ring.increment(slot);
                    expected[s]++;
                }
                case 1 -> {
                    if (expected[s] > 0) {
                        ring.decrement(slot);
                        expected[s]--;
                    }
                }
                default -> {
                    assertThat(ring.clear(slot)).isEqualTo(expected[s]);
                    expected[s] = 0;
                }
            }
            assertThat(ring.get(slot)).isEqualTo(expected[s]);
        }
        for (int s = 0; s < SLOTS; s++) {
            assertThat(ring.get(s)).as("slot %d", s).isEqualTo(expected[s]);
        }
        assertThat(ring.pagesMade()).isLessThanOrEqualTo(4); // the 3 pages used, or 4 if they straddle
    }

    @Test
    void theFirstCounterNotZeroIsFoundAcrossPagesAndTheRingsWrap() {
        final PagedCounterRing ring = new PagedCounterRing(SLOTS);
        final long base = 1_700_000_000_000L;
        assertThat(ring.firstNonZero(base, base + SLOTS)).isEqualTo(base + SLOTS);
        ring.increment(base + 3 * PAGE + 17);
        ring.increment(base + 5 * PAGE);
        for (long from = base; from < base + 6 * PAGE; from += 1_001) {
            final long end = base + SLOTS - 1;
            final long expected = from <= base + 3 * PAGE + 17 ? base + 3 * PAGE + 17
                    : from <= base + 5 * PAGE ? base + 5 * PAGE : end;
            assertThat(ring.firstNonZero(from, from + 9)).as("from %d", from - base)
                    .isEqualTo(Math.min(expected, from + 9));
            assertThat(ring.firstNonZero(from, end)).as("from %d", from - base).isEqualTo(expected);
        }
        // A span that wraps past the ring's end finds a counter at its start.
        final long wrapStart = base - (base & (SLOTS - 1)) + SLOTS - 10;
        ring.increment(wrapStart + 12);
        assertThat(ring.firstNonZero(wrapStart, wrapStart + 100)).isEqualTo(wrapStart + 12);
        assertThat(ring.firstNonZero(wrapStart, wrapStart + 12)).isEqualTo(wrapStart + 12);
    }

    @Test
    void aPageIsMadeOnlyWhereACounterIsNotZero() {
        final PagedCounterRing ring = new PagedCounterRing(1 << 19);
        assertThat(ring.get(123_456)).isZero();
        assertThat(ring.clear(123_456)).isZero();
        assertThat(ring.pagesMade()).isZero();
        ring.increment(5);
        ring.increment(5);
        ring.increment(PAGE + 7);
        assertThat(ring.pagesMade()).isEqualTo(2);
        assertThat(ring.get(5)).isEqualTo(2);
        assertThat(ring.get(PAGE + 7)).isEqualTo(1);
        assertThat(ring.get(6)).isZero();
    }

    @Test
    void aWatermarkSweepingTheRingReusesTheSamePages() {
        // As in the engine: values a little ahead of a moving point, cleared as it passes them.
        final PagedCounterRing ring = new PagedCounterRing(1 << 19);
        for (long t = 0; t < 4L * (1 << 19); t++) {
            ring.increment(t + 1_000);
            assertThat(ring.clear(t)).isEqualTo(t >= 1_000 ? 1 : 0);
        }
        assertThat(ring.pagesMade()).isLessThanOrEqualTo(2);
        ring.decrement(4L * (1 << 19) + 999);
        assertThat(ring.get(4L * (1 << 19) + 999)).isZero();
    }

    @Test
    void aCounterThatIsZeroCannotBeTakenFrom() {
        final PagedCounterRing ring = new PagedCounterRing(SLOTS);
        assertThatThrownBy(() -> ring.decrement(3)).isInstanceOf(IllegalStateException.class);
        ring.increment(3);
        ring.decrement(3);
        assertThatThrownBy(() -> ring.decrement(3)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aRingSmallerThanAPageIsOnePage() {
        final PagedCounterRing ring = new PagedCounterRing(1024);
        ring.increment(1023);
        ring.increment(1024); // a page's ring: distinct slots up to a page apart
        ring.increment(PAGE); // wraps to slot 0
        assertThat(ring.get(0)).isEqualTo(1);
        assertThat(ring.get(1023)).isEqualTo(1);
        assertThat(ring.get(1024)).isEqualTo(1);
        assertThat(ring.pagesMade()).isEqualTo(1);
        assertThatThrownBy(() -> new PagedCounterRing(1000)).isInstanceOf(IllegalArgumentException.class);
    }
}
