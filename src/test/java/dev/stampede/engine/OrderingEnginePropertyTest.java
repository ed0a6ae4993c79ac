package dev.stampede.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.RandomCases;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Property-based tests of the engine, safety and liveness: for random interleavings and arrival
 * orders of non-decreasing per-source streams, with idle gaps, clocks ahead, behind and jumping,
 * restarts after long outages and duplicates,
 * <ul>
 *   <li>the output is strictly ascending (non-decreasing with duplicates kept) and is exactly the
 *       accepted inputs minus what the engine reported late;</li>
 *   <li>nothing is released ahead of the clock, and outside a hold nothing waits longer than the
 *       max delay behind it;</li>
 *   <li>after every tick the watermark has reached min(clock, lowest latest of the active
 *       sources) as judged from outside the engine, so it never stalls after a jump;</li>
 *   <li>once the sources go idle and the clock passes every value, nothing is pending.</li>
 * </ul>
 *
 * <p>Each case is generated from a seed ({@link RandomCases}): a failure names it, and
 * {@code RandomCases.replay(seed, r -> checkUnique(r.nextLong()))} runs that case alone.
 */
class OrderingEnginePropertyTest {
    private static final int CASES = 400;
    private static final long BASE = 1_750_000_000_000L;

    @TestFactory
    Stream<DynamicTest> uniqueOutputIsAscendingAndInputsMinusLate() {
        return RandomCases.of("engineUnique", CASES, r -> checkUnique(r.nextLong()));
    }

    @TestFactory
    Stream<DynamicTest> keptDuplicatesAreNonDecreasingAndComplete() {
        return RandomCases.of("engineKeep", CASES, r -> checkKeep(r.nextLong()));
    }

    @TestFactory
    Stream<DynamicTest> withoutGapsOrSlowSourcesNothingIsLate() {
        return RandomCases.of("engineSteady", CASES, r -> checkNothingLate(r.nextLong()));
    }

    @TestFactory
    Stream<DynamicTest> clocksAheadBehindAndJumpingNeverStallTheWatermark() {
        return RandomCases.of("engineLiveness", CASES, r -> checkUnique(Scenario.clocks(r.nextLong())));
    }

    @TestFactory
    Stream<DynamicTest> offeringAReadAtOnceIsOfferingItsValuesOneByOne() {
        return RandomCases.of("engineReads", CASES, r -> {
            final long seed = r.nextLong();
            final Scenario s = r.nextBoolean() ? Scenario.random(seed, r.nextBoolean()) : Scenario.clocks(seed);
            final List<String> byValue = trace(s, false);
            assertThat(trace(s, true)).as("seed %d: by read as by value", seed).isEqualTo(byValue);
        });
    }

    // ------------------------------------------------------------------ properties

    private static void checkUnique(long seed) {
        checkUnique(Scenario.random(seed, false));
    }

    private static void checkUnique(Scenario s) {
        final Run run = s.run();
        final long seed = s.seed;
        for (int i = 1; i < run.sink.finals.size(); i++) {
            assertThat(run.sink.finals.get(i)).as("seed %d: ascending at %d", seed, i)
                    .isGreaterThan(run.sink.finals.get(i - 1));
        }
        final Set<Long> inputs = new HashSet<>(run.accepted);
        final Set<Long> finals = new HashSet<>(run.sink.finals);
        final Set<Long> late = new HashSet<>(run.sink.late);
        final Set<Long> both = new HashSet<>(late);
        both.retainAll(finals);
        assertThat(both).as("seed %d: nothing both written and late", seed).isEmpty();
        final Set<Long> union = new HashSet<>(finals);
        union.addAll(late);
        assertThat(union).as("seed %d: written + late = accepted inputs", seed).isEqualTo(inputs);
        assertThat(run.engine.offered()).isEqualTo(
                run.engine.released() + run.engine.duplicates() + run.engine.late());
    }

    private static void checkKeep(long seed) {
        final Scenario s = Scenario.random(seed, true);
        final Run run = s.run();
        for (int i = 1; i < run.sink.finals.size(); i++) {
            assertThat(run.sink.finals.get(i)).as("seed %d: non-decreasing at %d", seed, i)
                    .isGreaterThanOrEqualTo(run.sink.finals.get(i - 1));
        }
        final List<Long> all = new ArrayList<>(run.sink.finals);
        all.addAll(run.sink.late);
        assertThat(count(all)).as("seed %d: written + late = inputs, copies included", seed)
                .isEqualTo(count(run.accepted));
        assertThat(run.engine.duplicates()).isZero();
    }

    private static void checkNothingLate(long seed) {
        final Scenario s = Scenario.steady(seed);
        final Run run = s.run();
        assertThat(run.sink.late).as("seed %d: late", seed).isEmpty();
        assertThat(new HashSet<>(run.sink.finals)).isEqualTo(
                new HashSet<>(s.arrivals.stream().map(a -> a.value).toList()));
    }

    private static Map<Long, Integer> count(List<Long> values) {
        final Map<Long, Integer> m = new HashMap<>();
        values.forEach(v -> m.merge(v, 1, Integer::sum));
        return m;
    }

    // ------------------------------------------------------------------ generator

    /** One value of one source, and when it reaches the engine (monotonic ms). */
    private record Arrival(int source, long value, long atMs) {}

    /** What a run produced; {@code accepted} are the values offered and not refused as ahead. */
    private record Run(OrderingEngine engine, CheckingSink sink, List<Long> accepted) {}

    /** Keeps what the engine releases, and checks that nothing is released ahead of the clock. */
    private static final class CheckingSink extends CollectingSink {
        long clockMs;
        long seed;

        @Override
        public void onFinal(long value, int copies) {
            assertThat(value).as("seed %d: released ahead of the clock", seed).isLessThanOrEqualTo(clockMs);
            super.onFinal(value, copies);
        }
    }

    /**
     * Everything the engine does with the scenario's arrivals, in order: each offer's result, each
     * release and late value, the watermark after each tick. A read is the arrivals in a row of one
     * source at one time: {@code byRead} offers them with {@link OrderingEngine#offerValue} and
     * then touches the source once with the highest that was not refused, as the server's loop does.
     */
    private static List<String> trace(Scenario s, boolean byRead) {
        final List<String> out = new ArrayList<>();
        final OrderingEngine engine = new OrderingEngine(s.config, new OrderedSink() {
            @Override
            public void onFinal(long value, int copies) {
                out.add("final " + value + " x" + copies);
            }

            @Override
            public void onLate(long value) {
                out.add("late " + value);
            }
        });
        if (s.resumeAfter != Long.MIN_VALUE) {
            engine.resumeAfter(s.resumeAfter);
            engine.holdUntil(s.holdMs);
        }
        final Map<Integer, Integer> ids = new HashMap<>();
        final List<Arrival> arrivals = s.arrivals;
        long nextTick = 0;
        for (int i = 0; i < arrivals.size();) {
            final Arrival first = arrivals.get(i);
            for (; nextTick <= first.atMs(); nextTick += s.tickMs) {
                engine.advance(nextTick, s.clock(nextTick));
                out.add("W " + engine.watermark());
            }
            final int id = ids.computeIfAbsent(first.source(), k -> engine.addSource(first.atMs()));
            final long clock = s.clock(first.atMs());
            long highest = Long.MIN_VALUE;
            int j = i;
            for (; j < arrivals.size() && arrivals.get(j).source() == first.source()
                    && arrivals.get(j).atMs() == first.atMs(); j++) {
                final long v = arrivals.get(j).value();
                final int result = byRead ? engine.offerValue(v, first.atMs(), clock)
                        : engine.offer(id, v, first.atMs(), clock);
                out.add("offer " + v + " " + result);
                if (result != OrderingEngine.AHEAD) {
                    highest = Math.max(highest, v);
                }
            }
            if (byRead && highest != Long.MIN_VALUE) {
                engine.touch(id, highest, first.atMs());
            }
            out.add("read of " + (j - i));
            i = j;
        }
        final long end = nextTick + s.config.idleTimeoutMs() + 1;
        engine.advance(end, s.clock(end));
        out.add("W " + engine.watermark());
        engine.drain(s.clock(end) + 100_000);
        return out;
    }

    private static final class Scenario {
        final EngineConfig config;
        final List<Arrival> arrivals = new ArrayList<>();
        final Map<Integer, Long> closeAt = new HashMap<>();
        final long tickMs;
        final long seed;
        boolean connectAllFirst;
        /** Server clock = BASE + clockOffset + monotonic time; jumps by clockJump at clockJumpAt. */
        long clockOffset;
        long clockJumpAt = Long.MAX_VALUE;
        long clockJump;
        /** A restart: the file ends at this value, and a hold of holdMs starts the run. */
        long resumeAfter = Long.MIN_VALUE;
        long holdMs;

        private Scenario(long seed, EngineConfig config, long tickMs) {
            this.seed = seed;
            this.config = config;
            this.tickMs = tickMs;
        }

        long clock(long atMs) {
            return BASE + clockOffset + atMs + (atMs >= clockJumpAt ? clockJump : 0);
        }

        /** Anything goes: gaps past the idle timeout, skewed clocks, bursts, closes, repeats. */
        static Scenario random(long seed, boolean keep) {
            final SplittableRandom r = new SplittableRandom(seed);
            final long idle = 20 + r.nextInt(200);
            final long maxDelay = 50 + r.nextInt(1_000);
            // History wide enough for every value here (the server sizes it from --max-skew likewise):
            // beyond it a duplicate of a written value can only be reported late.
            final EngineConfig config = EngineConfig.builder().idleTimeoutMs(idle).maxDelayMs(maxDelay).maxAheadMs(60_000)
                    .holdLagMs(maxDelay).keepDuplicates(keep).historyMs(1 << 16).build();
            final Scenario s = new Scenario(seed, config, 1 + r.nextInt(30));
            s.clockOffset = r.nextInt(400) - 200;
            final int sources = 1 + r.nextInt(8);
            final boolean narrow = r.nextInt(4) == 0; // values from a small range: many repeats
            for (int src = 0; src < sources; src++) {
                long sendMs = r.nextInt(300);
                long value = BASE + (narrow ? r.nextInt(20) : r.nextInt(400) - 200);
                long arriveMs = 0;
                final int n = r.nextInt(120);
                for (int k = 0; k < n; k++) {
                    sendMs += r.nextInt(8) == 0 ? r.nextInt((int) idle * 3) : r.nextInt(25);
                    value += narrow ? r.nextInt(3) : r.nextInt(40);
                    arriveMs = Math.max(arriveMs, sendMs + r.nextInt(r.nextInt(10) == 0 ? 500 : 20));
                    s.arrivals.add(new Arrival(src, value, arriveMs));
                }
                if (r.nextBoolean()) {
                    s.closeAt.put(src, arriveMs + r.nextInt(200));
                }
            }
            s.arrivals.sort(Comparator.comparingLong(Arrival::atMs));
            return s;
        }

        /**
         * Every source connects first (as a client does), then sends every few ms from clocks within
         * a few ms of each other, delivered promptly.
         */
        static Scenario steady(long seed) {
            final SplittableRandom r = new SplittableRandom(seed);
            final Scenario s = new Scenario(seed, EngineConfig.builder().idleTimeoutMs(500).maxDelayMs(5_000)
                    .maxAheadMs(60_000).holdLagMs(5_000).historyMs(1 << 16).build(),
                    1 + r.nextInt(20));
            s.connectAllFirst = true;
            s.clockOffset = 30;
            final int sources = 1 + r.nextInt(16);
            for (int src = 0; src < sources; src++) {
                final long offset = r.nextInt(10);
                long arriveMs = 0;
                for (long t = r.nextInt(50); t < 2_000; t += 1 + r.nextInt(50)) {
                    arriveMs = Math.max(arriveMs, t + r.nextInt(30));
                    s.arrivals.add(new Arrival(src, BASE + t + offset, arriveMs));
                }
            }
            s.arrivals.sort(Comparator.comparingLong(Arrival::atMs));
            return s;
        }

        /**
         * Sources whose clocks are right, ahead (some beyond the window: refused), behind by more
         * than the max delay, or jump forward by more than the whole ring; a server clock that
         * jumps; sometimes a restart on a file that ends long ago, with a hold.
         */
        static Scenario clocks(long seed) {
            final SplittableRandom r = new SplittableRandom(seed);
            final long idle = 20 + r.nextInt(200);
            final long maxDelay = 20 + r.nextInt(300);
            final long ahead = 200 + r.nextInt(3_000);
            final long holdLag = maxDelay + r.nextInt(2_000);
            // Windows of a few thousand ms: jumps of 10-40 s cross the whole ring several times.
            final EngineConfig config = EngineConfig.builder().idleTimeoutMs(idle).maxDelayMs(maxDelay).maxAheadMs(ahead)
                    .holdLagMs(holdLag).historyMs(1 << 17).build();
            final Scenario s = new Scenario(seed, config, 1 + r.nextInt(30));
            s.connectAllFirst = r.nextBoolean();
            if (r.nextInt(3) == 0) {
                s.clockJumpAt = r.nextInt(1_500);
                s.clockJump = r.nextInt(2) == 0 ? -r.nextInt(5_000) : r.nextInt(40_000);
            }
            if (r.nextInt(3) == 0) {
                s.resumeAfter = BASE - 1_000 - r.nextInt(100_000);
                s.holdMs = r.nextInt(600);
            }
            final int sources = 1 + r.nextInt(8);
            for (int src = 0; src < sources; src++) {
                final int kind = r.nextInt(6);
                long offset = kind == 1 ? 1 + r.nextInt((int) (ahead + 500)) // ahead, maybe too far
                        : kind == 2 ? -(maxDelay + 1 + r.nextInt(2_000)) // behind by more than the max delay
                        : r.nextInt(20) - 10;
                final long jumpAt = kind == 3 ? r.nextInt(2_000) : Long.MAX_VALUE;
                final long jump = 10_000 + r.nextInt(30_000);
                long sendMs = r.nextInt(100);
                long arriveMs = 0;
                long last = Long.MIN_VALUE;
                while (sendMs < 2_000) {
                    sendMs += r.nextInt(10) == 0 ? r.nextInt((int) idle * 2) : 1 + r.nextInt(40);
                    arriveMs = Math.max(arriveMs, sendMs + r.nextInt(15));
                    final long value = Math.max(last, s.clock(sendMs) + offset + (sendMs >= jumpAt ? jump : 0));
                    last = value;
                    s.arrivals.add(new Arrival(src, value, arriveMs));
                }
                if (r.nextInt(4) == 0) {
                    s.closeAt.put(src, (long) r.nextInt(2_500));
                }
            }
            s.arrivals.sort(Comparator.comparingLong(Arrival::atMs));
            return s;
        }

        Run run() {
            final CheckingSink sink = new CheckingSink();
            sink.seed = seed;
            final OrderingEngine engine = new OrderingEngine(config, sink);
            final Oracle oracle = new Oracle(config.idleTimeoutMs());
            if (resumeAfter != Long.MIN_VALUE) {
                engine.resumeAfter(resumeAfter);
                engine.holdUntil(holdMs);
            }
            final Map<Integer, Integer> ids = new HashMap<>();
            if (connectAllFirst) {
                arrivals.forEach(a -> ids.computeIfAbsent(a.source, k -> oracle.add(engine.addSource(0), 0)));
            }
            final List<Long> accepted = new ArrayList<>();
            long nextTick = 0;
            for (Arrival a : arrivals) {
                while (nextTick <= a.atMs) {
                    tick(engine, sink, oracle, ids, nextTick);
                    nextTick += tickMs;
                }
                final int id = ids.computeIfAbsent(a.source, k -> oracle.add(engine.addSource(a.atMs), a.atMs));
                sink.clockMs = clock(a.atMs);
                if (engine.offer(id, a.value, a.atMs, clock(a.atMs)) != OrderingEngine.AHEAD) {
                    accepted.add(a.value);
                    oracle.heard(id, a.value, a.atMs);
                } else {
                    assertThat(a.value - clock(a.atMs)).as("seed %d: refused as ahead", seed)
                            .isGreaterThan(config.maxAheadMs());
                }
            }
            closeDue(engine, oracle, ids, Long.MAX_VALUE);
            // Time passes: every source idle, the clock past every value; nothing may stay pending.
            final long end = nextTick + config.idleTimeoutMs() + 1;
            final long endClock = Math.max(clock(end), accepted.stream().mapToLong(v -> v).max().orElse(0) + 1);
            sink.clockMs = endClock;
            engine.advance(end, endClock);
            assertThat(engine.pendingValues()).as("seed %d: pending once all is idle and past", seed).isZero();
            engine.drain(endClock);
            return new Run(engine, sink, accepted);
        }

        private void tick(OrderingEngine engine, CheckingSink sink, Oracle oracle, Map<Integer, Integer> ids,
                long nowMs) {
            closeDue(engine, oracle, ids, nowMs);
            final long clockMs = clock(nowMs);
            sink.clockMs = clockMs;
            final long before = engine.watermark();
            engine.advance(nowMs, clockMs);
            final long w = engine.watermark();
            if (nowMs < holdMs) {
                assertThat(w).as("seed %d: the hold lag at %d ms", seed, nowMs)
                        .isGreaterThanOrEqualTo(clockMs - config.holdLagMs());
                return;
            }
            assertThat(w).as("seed %d: max delay at %d ms", seed, nowMs)
                    .isGreaterThanOrEqualTo(clockMs - config.maxDelayMs());
            assertThat(w).as("seed %d: never past the clock at %d ms", seed, nowMs)
                    .isLessThanOrEqualTo(Math.max(before, clockMs));
            final long lowerBound = Math.min(clockMs, oracle.lowestLatestOfActive(nowMs));
            assertThat(w).as("seed %d: live at %d ms", seed, nowMs).isGreaterThanOrEqualTo(lowerBound);
        }

        private void closeDue(OrderingEngine engine, Oracle oracle, Map<Integer, Integer> ids, long nowMs) {
            closeAt.entrySet().removeIf(e -> {
                if (e.getValue() > nowMs || !ids.containsKey(e.getKey())) {
                    return false;
                }
                final int id = ids.remove(e.getKey());
                engine.removeSource(id);
                oracle.remove(id);
                return true;
            });
        }
    }

    /**
     * The model of docs/DESIGN.md seen from outside the engine: which sources are active (heard
     * within the idle timeout, or connected that recently and silent) and their latest values.
     */
    private static final class Oracle {
        private final long idleMs;
        private final Map<Integer, Long> latest = new HashMap<>();
        private final Map<Integer, Long> lastHeardMs = new HashMap<>();
        private long newest = Long.MIN_VALUE;

        Oracle(long idleMs) {
            this.idleMs = idleMs;
        }

        int add(int id, long nowMs) {
            latest.put(id, Long.MIN_VALUE);
            lastHeardMs.put(id, nowMs);
            return id;
        }

        void heard(int id, long value, long nowMs) {
            latest.merge(id, value, Math::max);
            lastHeardMs.put(id, nowMs);
            newest = Math.max(newest, value);
        }

        void remove(int id) {
            latest.remove(id);
            lastHeardMs.remove(id);
        }

        /**
         * The lowest latest value of the active sources (a silent new one counts as the lowest of
         * all); with none active, just past the newest value.
         */
        long lowestLatestOfActive(long nowMs) {
            long min = Long.MAX_VALUE;
            boolean any = false;
            for (Map.Entry<Integer, Long> e : lastHeardMs.entrySet()) {
                if (e.getValue() + idleMs > nowMs) {
                    any = true;
                    min = Math.min(min, latest.get(e.getKey()));
                }
            }
            return any ? min : (newest == Long.MIN_VALUE ? Long.MIN_VALUE : newest + 1);
        }
    }
}
