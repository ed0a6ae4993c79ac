package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a loop pauses before its poll: a fixed pause always, the adaptive one only when it pays. */
class ReadBatchRuleTest {
    @Test
    void aFixedPauseIsTakenWhateverTheRateAndTheShareOfReadySockets() {
        final ReadBatchRule rule = new ReadBatchRule(100, false, 500);
        assertThat(rule.batching(1, 5_000)).isTrue(); // quiet: nothing observed yet
        rule.observe(0, 0);
        rule.observe(200, 1_000_000);
        assertThat(rule.batching(4_000, 5_000)).isTrue(); // most connections ready: still pauses
        assertThat(rule.pauseNanos()).isEqualTo(100_000_000L);
    }

    @Test
    void theAdaptivePauseWaitsForARateAndForSocketsLeftToFill() {
        final ReadBatchRule rule = new ReadBatchRule(1, true, 500);
        rule.observe(0, 0);
        rule.observe(100, 100); // 1,000 values/s: a pause would only add a wake-up
        assertThat(rule.batching(1, 5_000)).isFalse();
        rule.observe(200, 100_000); // 10,000 a second and more
        assertThat(rule.batching(100, 5_000)).isTrue();
        assertThat(rule.batching(3_000, 5_000)).isFalse(); // most ready already: it would sit idle
    }

    @Test
    void zeroNeverPauses() {
        assertThat(new ReadBatchRule(0, false, 500).batching(1, 5_000)).isFalse();
        final ReadBatchRule auto = new ReadBatchRule(0, true, 500);
        auto.observe(0, 0);
        auto.observe(100, 1_000_000);
        assertThat(auto.batching(1, 5_000)).isFalse();
    }

    @Test
    void aLoopSaturatedFor200MsPausesHalfAsLongAsItsRoundsForASecond() {
        final ReadBatchRule rule = busyAuto();
        // Rounds that each read every connection, a line a read, back to back for 200 ms.
        long now = 200;
        for (int i = 0; i < 4; i++) {
            now += 50;
            rule.roundEnded(now, 50, 5_000, 5_000, 5_000);
        }
        assertThat(rule.batching(5_000, 5_000)).isTrue(); // pauses although every socket was ready
        assertThat(rule.pauseMs()).isEqualTo(25);
        rule.roundEnded(now + 30, 30, 5_000, 5_000, 7_500); // more lines a read: a shorter round
        assertThat(rule.pauseMs()).isEqualTo(15);
        rule.roundEnded(now + 1_100, 30, 5_000, 5_000, 10_000); // the second is over
        assertThat(rule.batching(5_000, 5_000)).isFalse();
        assertThat(rule.pauseMs()).isEqualTo(1);
    }

    @Test
    void aShortBacklogOrLongReadsAreNotAnOverload() {
        final ReadBatchRule rule = busyAuto();
        rule.roundEnded(250, 50, 5_000, 5_000, 5_000); // after a hiccup: one round reads everything
        rule.roundEnded(254, 4, 400, 5_000, 400); // then the usual few hundred
        rule.roundEnded(304, 50, 5_000, 5_000, 5_000);
        rule.roundEnded(354, 50, 5_000, 5_000, 5_000);
        assertThat(rule.batching(5_000, 5_000)).isFalse(); // 100 ms of backlog, not 200
        for (long now = 400; now <= 1_000; now += 50) { // a flood: every read brings many lines
            rule.roundEnded(now, 50, 5_000, 5_000, 200_000);
        }
        assertThat(rule.batching(5_000, 5_000)).isFalse(); // a pause would only cost throughput
        final ReadBatchRule fixed = new ReadBatchRule(100, false, 500);
        fixed.roundEnded(1_000, 300, 5_000, 5_000, 5_000);
        assertThat(fixed.pauseMs()).isEqualTo(100);
    }

    @Test
    void anOverloadPauseStaysUnderHalfTheIdleTimeout() {
        final ReadBatchRule rule = new ReadBatchRule(1, true, 60);
        rule.observe(0, 0);
        rule.observe(200, 200_000);
        for (long now = 300; now <= 900; now += 120) {
            rule.roundEnded(now, 120, 5_000, 5_000, 5_000);
        }
        assertThat(rule.batching(5_000, 5_000)).isTrue();
        assertThat(rule.pauseMs()).isEqualTo(30); // not 60: a source read less often would look idle
    }

    /** The default rule, after a window at 1,000,000 values a second. */
    private static ReadBatchRule busyAuto() {
        final ReadBatchRule rule = new ReadBatchRule(1, true, 500);
        rule.observe(0, 0);
        rule.observe(200, 200_000);
        return rule;
    }
}
