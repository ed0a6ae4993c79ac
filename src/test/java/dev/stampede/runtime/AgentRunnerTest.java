package dev.stampede.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AgentRunnerTest {
    /** An agent that records its lifecycle; works {@code cycles} times, then is done or throws. */
    private static final class Recorder implements Agent {
        final List<String> events = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger cycles = new AtomicInteger();
        final int doneAfter;
        final boolean fail;

        Recorder(int doneAfter, boolean fail) {
            this.doneAfter = doneAfter;
            this.fail = fail;
        }

        @Override
        public String roleName() {
            return "test: loop";
        }

        @Override
        public void onStart() {
            events.add("start");
        }

        @Override
        public int doWork() throws Exception {
            if (cycles.incrementAndGet() == doneAfter) {
                if (fail) {
                    throw new java.io.IOException("disk on fire");
                }
                return DONE;
            }
            return 0;
        }

        @Override
        public void onStopRequested() {
            events.add("stop requested");
        }

        @Override
        public void onClose() {
            events.add("close");
        }
    }

    @Test
    void anAgentThatIsDoneEndsThroughOnClose() throws Exception {
        final Recorder agent = new Recorder(5, false);
        final AgentRunner runner = new AgentRunner(agent, IdleStrategy.NONE, ErrorPolicy.logging(s -> { }), "t");
        runner.start();
        assertThat(runner.awaitTermination(10_000)).isTrue();
        assertThat(agent.events).containsExactly("start", "close");
        assertThat(agent.cycles.get()).isEqualTo(5);
        assertThat(runner.failed()).isFalse();
    }

    @Test
    void aStopWakesTheAgentAndEndsTheLoop() throws Exception {
        final Recorder agent = new Recorder(Integer.MAX_VALUE, false);
        final AgentRunner runner = new AgentRunner(agent, IdleStrategy.parking(1_000_000),
                ErrorPolicy.logging(s -> { }), "t");
        runner.start();
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (agent.cycles.get() < 3 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        runner.stop();
        assertThat(runner.isRunning()).isFalse();
        assertThat(agent.events).containsExactly("start", "stop requested", "close");
        assertThat(runner.stopRequested()).isTrue();
    }

    @Test
    void aFailureIsCountedLoggedOnceAndToldToTheProcess() throws Exception {
        final Recorder agent = new Recorder(3, true);
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger told = new AtomicInteger();
        final ErrorPolicy errors = new ErrorPolicy(log::add, told::incrementAndGet);
        final AgentRunner runner = new AgentRunner(agent, IdleStrategy.NONE, errors, "t");
        runner.start();
        assertThat(runner.awaitTermination(10_000)).isTrue();
        assertThat(runner.failed()).isTrue();
        assertThat(errors.errors()).isEqualTo(1);
        assertThat(told.get()).isEqualTo(1);
        assertThat(log).containsExactly("test: loop failed: java.io.IOException: disk on fire; stopping");
        assertThat(agent.events).containsExactly("start", "close");
    }

    @Test
    void aCadenceComesDueOnceAfterAStallAndNeverWithoutAnInterval() {
        final Cadence c = new Cadence(100, 1_000);
        assertThat(c.due(1_099)).isFalse();
        assertThat(c.due(1_100)).isTrue();
        assertThat(c.due(1_150)).isFalse();
        assertThat(c.due(5_000)).isTrue();
        assertThat(c.due(5_001)).isFalse();
        assertThat(c.remainingMs(5_050)).isEqualTo(50);
        assertThat(new Cadence(0, 0).due(Long.MAX_VALUE - 1)).isFalse();
    }

    @Test
    void aFlushScheduleSyncsOnItsIntervalOnEveryFlushOrNever() {
        final FlushSchedule interval = new FlushSchedule(10, 1_000, 0);
        assertThat(interval.due(5)).isEqualTo(FlushSchedule.Due.NOTHING);
        assertThat(interval.due(10)).isEqualTo(FlushSchedule.Due.FLUSH);
        assertThat(interval.due(1_000)).isEqualTo(FlushSchedule.Due.FLUSH_AND_SYNC);
        assertThat(interval.due(1_010)).isEqualTo(FlushSchedule.Due.FLUSH);
        assertThat(new FlushSchedule(10, 0, 0).due(10)).isEqualTo(FlushSchedule.Due.FLUSH_AND_SYNC);
        assertThat(new FlushSchedule(10, -1, 0).due(1_000_000)).isEqualTo(FlushSchedule.Due.FLUSH);
    }

    @Test
    void aFlushOrSyncThatWouldComeDueDuringAPauseIsDueBeforeIt() {
        final FlushSchedule schedule = new FlushSchedule(10, 1_000, 0);
        assertThat(schedule.dueWithin(2, 5)).isEqualTo(FlushSchedule.Due.NOTHING); // due at 10, back at 7
        assertThat(schedule.dueWithin(2, 400)).isEqualTo(FlushSchedule.Due.FLUSH); // back at 402
        assertThat(schedule.due(11)).isEqualTo(FlushSchedule.Due.NOTHING); // the next is 10 after 2
        assertThat(schedule.dueWithin(700, 400)).isEqualTo(FlushSchedule.Due.FLUSH_AND_SYNC); // sync at 1,000
        assertThat(schedule.due(1_000)).isEqualTo(FlushSchedule.Due.FLUSH); // synced already
    }

    @Test
    void statsCadencePublishesEveryTenthOfASecondAndReportsOnItsInterval() {
        final List<String> log = new ArrayList<>();
        final StatsCadence<Long> stats = new StatsCadence<>(1_000, log::add, 0, 0L,
                (now, last) -> "n=" + now + " since=" + (now - last));
        stats.tick(50, () -> 1L);
        assertThat(stats.latest()).isZero();
        stats.tick(100, () -> 2L);
        assertThat(stats.latest()).isEqualTo(2L);
        assertThat(log).isEmpty();
        stats.tick(1_000, () -> 7L);
        assertThat(log).containsExactly("n=7 since=7");
        stats.publish(9L);
        assertThat(stats.latest()).isEqualTo(9L);
    }
}
