package dev.stampede.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.RandomCases;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The schedule is pure: these tests drive it with made-up times, no sleeping. */
class ScheduleTest {
    private static final long MS = 1_000_000L;
    private static final long NONE = Long.MAX_VALUE;

    @Test
    void dueTimesDoNotDriftOverManyTicks() {
        // 50 ms over 3 connections: phases of 16.67 ms do not divide evenly, the classic drift trap.
        final long start = 123_456_789L;
        final long interval = 50 * MS;
        final Schedule s = new Schedule(start, interval, 3, Phase.SPREAD, NONE);
        for (long send = 0; send < 3_000_000; send++) {
            final long k = send / 3;
            final int i = (int) (send % 3);
            assertThat(s.connection()).isEqualTo(i);
            if (send % 100_003 == 0) {
                assertThat(s.due()).isEqualTo(start + k * interval + i * interval / 3);
            }
            s.advance();
        }
        // A million rounds later, connection 0 is due exactly a million intervals after its start.
        assertThat(s.due()).isEqualTo(start + 1_000_000 * interval);
    }

    @Test
    void spreadPhasesShareOutTheInterval() {
        final Schedule s = new Schedule(0, 50 * MS, 4, Phase.SPREAD, NONE);
        assertThat(new long[] {s.phaseOf(0), s.phaseOf(1), s.phaseOf(2), s.phaseOf(3)})
                .containsExactly(0, 12_500_000, 25_000_000, 37_500_000);
    }

    @Test
    void alignedPhasesAreAllTheSameInstant() {
        final Schedule s = new Schedule(7, 50 * MS, 4, Phase.ALIGNED, NONE);
        for (int i = 0; i < 4; i++) {
            assertThat(s.due()).isEqualTo(7);
            assertThat(s.connection()).isEqualTo(i);
            s.advance();
        }
        assertThat(s.due()).isEqualTo(7 + 50 * MS);
    }

    @Test
    void sendsComeInDueTimeOrderAsARoundRobin() {
        final Schedule s = new Schedule(0, 50 * MS, 7, Phase.SPREAD, NONE);
        long previous = Long.MIN_VALUE;
        for (int send = 0; send < 7 * 100; send++) {
            assertThat(s.due()).isGreaterThanOrEqualTo(previous);
            assertThat(s.connection()).isEqualTo(send % 7);
            previous = s.due();
            s.advance();
        }
    }

    @Test
    void aPauseOfSeveralIntervalsGivesOneSendPerConnectionAndCountsTheRest() {
        final long interval = 50 * MS;
        final Schedule s = new Schedule(0, interval, 4, Phase.SPREAD, NONE);
        Run run = runOnTime(s, interval, 1_000 * MS); // on time up to 1 s: 20 rounds and connection 0's 21st
        assertThat(run.sent).isEqualTo(81);
        assertThat(run.missed).isZero();
        // Paused for 7.3 intervals: at 1365 ms, every connection has 7 or 8 ticks due.
        final long resume = 1_000 * MS + 365 * MS;
        final long dueDuringPause = slotsDueBy(4, interval, Phase.SPREAD, resume) - 81;
        run = runUntil(s, interval, resume);
        assertThat(run.sent).isEqualTo(4);
        assertThat(run.perConnection).containsOnly(1);
        assertThat(run.missed).isEqualTo(dueDuringPause - 4);
        assertThat(run.maxLateNs).isLessThan(interval);
    }

    @Test
    void skippingStopsAtTheEnd() {
        final long interval = 50 * MS;
        final long end = 1_000 * MS;
        final Schedule s = new Schedule(0, interval, 5, Phase.SPREAD, end);
        runOnTime(s, interval, 100 * MS);
        final Run run = runUntil(s, interval, 10_000 * MS); // paused past the end
        assertThat(s.finished()).isTrue();
        final long total = slotsDueBy(5, interval, Phase.SPREAD, end - 1);
        assertThat(run.sent + run.missed).isEqualTo(total - 11);
        assertThat(run.sent).isZero(); // everything left was overdue by far more than an interval
    }

    @TestFactory
    Stream<DynamicTest> afterAnyPauseEachConnectionSendsOnceAndEveryTickIsAccounted() {
        return RandomCases.of("scheduleAfterPause", 300, r -> afterAnyPause(
                (int) RandomCases.between(r, 1, 40),
                RandomCases.between(r, 1, 200),
                RandomCases.between(r, 0, 50_000),
                RandomCases.between(r, 2, 200_000),
                r.nextBoolean()));
    }

    private static void afterAnyPause(int n, long intervalMs, long pauseStartUnits, long pauseUnits, boolean aligned) {
        final long interval = intervalMs * MS;
        final Phase phase = aligned ? Phase.ALIGNED : Phase.SPREAD;
        final Schedule s = new Schedule(0, interval, n, phase, NONE);
        final long pauseStart = pauseStartUnits * interval / 100;
        final long resume = pauseStart + pauseUnits * interval / 100;
        final Run before = runOnTime(s, interval, pauseStart);
        final Run after = runUntil(s, interval, resume);
        assertThat(before.sent + before.missed + after.sent + after.missed)
                .isEqualTo(slotsDueBy(n, interval, phase, resume));
        if (resume - pauseStart >= 2 * interval) {
            // Whatever the pause, each connection sends its latest due tick once: no burst.
            assertThat(after.perConnection).containsOnly(1);
        }
        for (int sends : after.perConnection) {
            assertThat(sends).isLessThanOrEqualTo(1); // never a burst, whatever the pause
        }
        assertThat(after.maxLateNs).isLessThan(interval);
    }

    @Test
    void sendsDueWithinTheWindowShareAWakeUpAndKeepTheirExactDueTimes() {
        // 5,000 connections at 50 ms, spread: one due every 10 us; a 200 us window.
        final long interval = 50 * MS;
        final long window = 200_000;
        final long start = 1_234_567L;
        final Schedule s = new Schedule(start, interval, 5_000, Phase.SPREAD, NONE);
        assertThat(s.wakeAt(0)).as("no window: wake at the due time").isEqualTo(start);
        assertThat(s.wakeAt(window)).as("the 21st send is due 200 us after the first").isEqualTo(start + window);
        // A loop on an exact clock that wakes only at wakeAt: 20 rounds.
        long wakeUps = 0;
        long sends = 0;
        long maxLate = 0;
        while (s.due() < start + 20 * interval) {
            final long now = s.wakeAt(window); // the clock when the loop wakes up
            wakeUps++;
            assertThat(now).isGreaterThanOrEqualTo(s.due());
            while (s.due() <= now) {
                final long k = sends / 5_000;
                final int i = (int) (sends % 5_000);
                assertThat(s.due()).as("send %d keeps its own due time", sends)
                        .isEqualTo(start + k * interval + i * interval / 5_000);
                maxLate = Math.max(maxLate, now - s.due());
                sends++;
                s.advance();
            }
        }
        assertThat(sends).as("20 rounds, and the last wake-up's few").isBetween(20L * 5_000, 20L * 5_000 + 21);
        assertThat(maxLate).as("at most the window late").isLessThanOrEqualTo(window);
        assertThat(wakeUps).as("21 sends a wake-up").isLessThanOrEqualTo(sends / 20);
        // And no drift: a million intervals on, connection 0 is due exactly then.
        final Schedule far = new Schedule(start, interval, 3, Phase.SPREAD, NONE);
        for (int send = 0; send < 3_000_000; send++) {
            far.wakeAt(window);
            far.advance();
        }
        assertThat(far.due()).isEqualTo(start + 1_000_000 * interval);
    }

    @Test
    void theLoopsWindowIsAMillisecondButNeverMoreThanATwentiethOfTheInterval() {
        assertThat(ScheduleRun.coalesceNs(50 * MS)).isEqualTo(MS);
        assertThat(ScheduleRun.coalesceNs(10 * MS)).isEqualTo(500_000);
        assertThat(ScheduleRun.coalesceNs(MS)).isEqualTo(50_000);
        // 50 connections at 1 ms: a send every 20 us; the window takes two more, never the next round.
        final Schedule s = new Schedule(0, MS, 50, Phase.SPREAD, NONE);
        assertThat(s.wakeAt(ScheduleRun.coalesceNs(MS))).isEqualTo(s.dueOf(0, 2));
    }

    @Test
    void aWakeUpNeverWaitsForASendThatIsNotDueSoonOrPastTheEnd() {
        final long interval = 50 * MS;
        // 50 connections: one due every millisecond; a 300 us window holds no other.
        final Schedule sparse = new Schedule(0, interval, 50, Phase.SPREAD, NONE);
        assertThat(sparse.wakeAt(300_000)).isZero();
        // Aligned: a whole round is due at once, and the next round is an interval away.
        final Schedule aligned = new Schedule(0, interval, 400, Phase.ALIGNED, NONE);
        assertThat(aligned.wakeAt(300_000)).isZero();
        // The look-ahead is bounded, and stops before the end.
        final Schedule dense = new Schedule(0, interval, 100_000, Phase.SPREAD, NONE);
        assertThat(dense.wakeAt(interval)).isEqualTo(dense.dueOf(0, Schedule.MAX_COALESCED));
        final Schedule ending = new Schedule(0, interval, 5_000, Phase.SPREAD, 50_000);
        assertThat(ending.wakeAt(interval)).isEqualTo(40_000);
    }

    /** What a loop would do at {@code now}: skip the overdue ticks, send the ones due. */
    private static Run runUntil(Schedule s, long interval, long now) {
        final Run run = new Run(s.connections());
        while (!s.finished() && s.due() <= now) {
            if (now - s.due() >= interval) {
                run.missed += s.skipOverdue(now);
                continue;
            }
            run.sent++;
            run.perConnection[s.connection()]++;
            run.maxLateNs = Math.max(run.maxLateNs, now - s.due());
            s.advance();
        }
        return run;
    }

    /** A loop that wakes exactly on every due time up to {@code until}. */
    private static Run runOnTime(Schedule s, long interval, long until) {
        final Run total = new Run(s.connections());
        while (!s.finished() && s.due() <= until) {
            final Run r = runUntil(s, interval, s.due());
            total.sent += r.sent;
            total.missed += r.missed;
        }
        return total;
    }

    /** Brute force: how many (k, i) are due at or before {@code t}. */
    private static long slotsDueBy(int n, long interval, Phase phase, long t) {
        final Schedule probe = new Schedule(0, interval, n, phase, NONE);
        long count = 0;
        for (int i = 0; i < n; i++) {
            final long first = probe.dueOf(0, i);
            if (first <= t) {
                count += (t - first) / interval + 1;
            }
        }
        return count;
    }

    private static final class Run {
        final int[] perConnection;
        long sent;
        long missed;
        long maxLateNs;

        Run(int n) {
            perConnection = new int[n];
        }
    }
}
