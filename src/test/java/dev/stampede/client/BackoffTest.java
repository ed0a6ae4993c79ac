package dev.stampede.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final long MS = 1_000_000L;

    @Test
    void everyDelayIsBetween100msAnd5s() {
        final Backoff b = new Backoff(42);
        for (int failures = 1; failures <= 100; failures++) {
            for (int j = 0; j < 200; j++) {
                assertThat(b.delayNs(failures)).isBetween(100 * MS, 5_000 * MS);
            }
        }
        assertThat(b.delayNs(Integer.MAX_VALUE)).isBetween(2_500 * MS, 5_000 * MS);
    }

    @Test
    void theCapDoublesUpToTheMaximum() {
        final Backoff b = new Backoff(1);
        assertThat(b.capNs(1)).isEqualTo(200 * MS);
        assertThat(b.capNs(2)).isEqualTo(400 * MS);
        assertThat(b.capNs(3)).isEqualTo(800 * MS);
        assertThat(b.capNs(5)).isEqualTo(3_200 * MS);
        assertThat(b.capNs(6)).isEqualTo(5_000 * MS);
        assertThat(b.capNs(1_000)).isEqualTo(5_000 * MS);
    }

    @Test
    void delaysLieInTheUpperHalfOfTheCapAndGrow() {
        final Backoff b = new Backoff(7);
        for (int failures = 1; failures <= 8; failures++) {
            for (int j = 0; j < 500; j++) {
                assertThat(b.delayNs(failures)).isBetween(b.capNs(failures) / 2, b.capNs(failures));
            }
            assertThat(b.capNs(failures + 1)).isGreaterThanOrEqualTo(b.capNs(failures));
        }
    }

    @Test
    void jitterSpreadsConnectionsThatFailedTogether() {
        final Backoff b = new Backoff(3);
        final Set<Long> distinctMs = new HashSet<>();
        for (int c = 0; c < 1_000; c++) {
            distinctMs.add(b.delayNs(1) / MS);
        }
        // 1,000 connections lost in the same instant come back over ~100 different milliseconds.
        assertThat(distinctMs.size()).isGreaterThan(80);
    }
}
