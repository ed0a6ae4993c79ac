package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** When a round of polls has read every socket that was ready at its start. */
class PollRoundTest {
    private static final int FULL = EventLoop.SELECT_CAP;

    @Test
    void aPollThatComesBackShortEndsTheRound() {
        final PollRound round = new PollRound();
        round.begin(10, 1_000, 5_001);
        round.polled(FULL);
        assertThat(round.complete(FULL)).isFalse();
        round.polled(17);
        assertThat(round.complete(17)).isTrue();
        assertThat(round.keys()).isEqualTo(FULL + 17);
    }

    @Test
    void fullPollsEndTheRoundOnceTheyHaveReadAsManyKeysAsTheSelectorHeld() {
        // Sockets read early in the round fill again and come back behind the rest: the polls can
        // stay full for ever, and the round must still end (then the loop pauses).
        final PollRound round = new PollRound();
        round.begin(10, 1_000, 5_001);
        for (int poll = 1; poll <= 4; poll++) {
            round.polled(FULL);
            assertThat(round.complete(FULL)).as("after %d full polls", poll).isFalse();
        }
        round.polled(FULL);
        assertThat(round.complete(FULL)).isTrue();
        assertThat(round.startMs()).isEqualTo(10);
        assertThat(round.startWallMs()).isEqualTo(1_000);
    }

    @Test
    void aNewRoundStartsCountingAfresh() {
        final PollRound round = new PollRound();
        round.begin(10, 1_000, 2_000);
        round.polled(FULL);
        round.polled(FULL);
        assertThat(round.complete(FULL)).isTrue();
        round.begin(20, 1_010, 2_000);
        round.polled(FULL);
        assertThat(round.complete(FULL)).isFalse();
        assertThat(round.keys()).isEqualTo(FULL);
        assertThat(round.startMs()).isEqualTo(20);
    }
}
