package dev.stampede.stats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Rejections counted by the reason code's ordinal, without the protocol's enum. */
class ServerStatsTest {
    private static ServerStats withRejects(long... byReason) {
        return new ServerStats(0, 1, 1, 0, 0, 0, 0, 0, 0, 0, -1, false, 0, 0, 0, -1, 0, byReason, 0);
    }

    @Test
    void theZeroSnapshotCountsNoRejectionForAnyReason() {
        for (int reason = 0; reason < 32; reason++) {
            assertThat(ServerStats.zero().rejected(reason)).isZero();
        }
    }

    @Test
    void combinedLoopsAddTheirRejectionsReasonByReason() {
        final ServerStats all = ServerStats.combine(
                new ServerStats[] {withRejects(1, 0, 2), withRejects(3, 4, 5), ServerStats.zero()},
                0, 0, 0, 0, 0, -1, false, -1, 0);
        assertThat(all.rejected(0)).isEqualTo(4);
        assertThat(all.rejected(1)).isEqualTo(4);
        assertThat(all.rejected(2)).isEqualTo(7);
        assertThat(all.rejected(3)).isZero();
        assertThat(all.connectionsOpen()).isEqualTo(2);
    }
}
