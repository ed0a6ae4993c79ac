package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AckStateTest {
    @Test
    void theOpenerIsAcknowledgedOnceItsHandOffIsDurable() {
        final AckState s = new AckState();
        assertThat(s.advance(1, 5, 4, Long.MIN_VALUE)).isZero(); // checkpoint: line 1 in hand-off 5
        assertThat(s.due(0)).isTrue();                              // ACK 0 at once: the client learns we ack
        s.sent(0);
        assertThat(s.due(999)).isFalse();
        assertThat(s.due(1_000)).isTrue();                          // heartbeat, unchanged
        assertThat(s.advance(1, 6, 5, Long.MIN_VALUE)).isEqualTo(1);
        assertThat(s.due(1)).isTrue();
    }

    @Test
    void aValueIsAcknowledgedOnlyOnceTheDurableWatermarkIsAboveIt() {
        final AckState s = new AckState();
        s.onValue(1_000);
        s.onValue(1_050);
        assertThat(s.advance(3, 10, 9, 900)).isZero();
        assertThat(s.advance(3, 11, 10, 1_050)).isZero();   // 1,050 not below it yet
        assertThat(s.advance(3, 12, 11, 1_051)).isEqualTo(3);
    }

    @Test
    void linesAfterTheCheckpointWaitForTheNextOne() {
        final AckState s = new AckState();
        s.onValue(100);
        s.advance(2, 1, 0, Long.MIN_VALUE);                 // checkpoint: 2 lines, max 100, seq 1
        s.onValue(200);                                     // line 3 arrives
        assertThat(s.advance(3, 2, 1, 150)).isEqualTo(2);   // the checkpoint is done; a new one for line 3
        assertThat(s.advance(3, 3, 1, 250)).isEqualTo(2);   // line 3's hand-off (2) is not durable yet
        assertThat(s.advance(3, 3, 2, 250)).isEqualTo(3);
    }

    @Test
    void aStalledDurabilityNeverAcknowledgesButKeepsTheHeartbeat() {
        final AckState s = new AckState();
        s.onValue(100);
        for (long t = 0; t < 10_000; t += 100) {
            assertThat(s.advance(2, 7 + t, 6, 50)).isZero();
        }
        s.sent(0);
        assertThat(s.due(500)).isFalse();
        assertThat(s.due(1_000)).isTrue();
    }

    @Test
    void onlyBadLinesAreAcknowledgedWithTheValuesBeforeThem() {
        final AckState s = new AckState();
        assertThat(s.advance(4, 3, 2, Long.MIN_VALUE)).isZero(); // opener + 3 ERR lines, no value
        assertThat(s.advance(4, 4, 3, Long.MIN_VALUE)).isEqualTo(4);
    }
}
