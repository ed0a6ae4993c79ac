package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a loop pauses before its poll: a fixed pause always, the adaptive one only when it pays. */
class ReadBatchRuleTest {
    @Test
    void aFixedPauseIsTakenWhateverTheRateAndTheShareOfReadySockets() {
        final ReadBatchRule rule = new ReadBatchRule(100, false);
        assertThat(rule.batching(1, 5_000)).isTrue(); // quiet: nothing observed yet
        rule.observe(0, 0);
        rule.observe(200, 1_000_000);
        assertThat(rule.batching(4_000, 5_000)).isTrue(); // most connections ready: still pauses
        assertThat(rule.pauseNanos()).isEqualTo(100_000_000L);
    }

    @Test
    void theAdaptivePauseWaitsForARateAndForSocketsLeftToFill() {
        final ReadBatchRule rule = new ReadBatchRule(1, true);
        rule.observe(0, 0);
        rule.observe(100, 100); // 1,000 values/s: a pause would only add a wake-up
        assertThat(rule.batching(1, 5_000)).isFalse();
        rule.observe(200, 100_000); // 10,000 a second and more
        assertThat(rule.batching(100, 5_000)).isTrue();
        assertThat(rule.batching(3_000, 5_000)).isFalse(); // most ready already: it would sit idle
    }

    @Test
    void zeroNeverPauses() {
        assertThat(new ReadBatchRule(0, false).batching(1, 5_000)).isFalse();
        final ReadBatchRule auto = new ReadBatchRule(0, true);
        auto.observe(0, 0);
        auto.observe(100, 1_000_000);
        assertThat(auto.batching(1, 5_000)).isFalse();
    }
}
