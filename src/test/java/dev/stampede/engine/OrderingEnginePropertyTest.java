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
 * Property-based tests of the engine: for random interleavings and arrival orders of
 * non-decreasing per-source streams, with idle gaps, out-of-sync clocks and duplicates, the output
 * is strictly ascending (non-decreasing with duplicates kept) and is exactly the inputs minus what
 * the engine reported late.
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

    // ------------------------------------------------------------------ properties

    private static void checkUnique(long seed) {
        final Scenario s = Scenario.random(seed, false);
        final Run run = s.run();
        for (int i = 1; i < run.sink.finals.size(); i++) {
            assertThat(run.sink.finals.get(i)).as("seed %d: ascending at %d", seed, i)
                    .isGreaterThan(run.sink.finals.get(i - 1));
        }
        final Set<Long> inputs = new HashSet<>();
        s.arrivals.forEach(a -> inputs.add(a.value));
        final Set<Long> finals = new HashSet<>(run.sink.finals);
        final Set<Long> late = new HashSet<>(run.sink.late);
        final Set<Long> both = new HashSet<>(late);
        both.retainAll(finals);
        assertThat(both).as("seed %d: nothing both written and late", seed).isEmpty();
        final Set<Long> union = new HashSet<>(finals);
        union.addAll(late);
        assertThat(union).as("seed %d: written + late = inputs", seed).isEqualTo(inputs);
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
        final Map<Long, Integer> inputs = count(s.arrivals.stream().map(a -> a.value).toList());
        final List<Long> all = new ArrayList<>(run.sink.finals);
        all.addAll(run.sink.late);
        assertThat(count(all)).as("seed %d: written + late = inputs, copies included", seed).isEqualTo(inputs);
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

    /** One value of one source, and when it reaches the engine. */
    private record Arrival(int source, long value, long atMs) {}

    private record Run(OrderingEngine engine, CollectingSink sink) {}

    private static final class Scenario {
        final EngineConfig config;
        final List<Arrival> arrivals = new ArrayList<>();
        final Map<Integer, Long> closeAt = new HashMap<>();
        final long tickMs;
        final long seed;
        boolean connectAllFirst;

        private Scenario(long seed, EngineConfig config, long tickMs) {
            this.seed = seed;
            this.config = config;
            this.tickMs = tickMs;
        }

        /** Anything goes: gaps past the idle timeout, skewed clocks, bursts, closes, repeats. */
        static Scenario random(long seed, boolean keep) {
            final SplittableRandom r = new SplittableRandom(seed);
            final long idle = 20 + r.nextInt(200);
            final long maxDelay = 50 + r.nextInt(1_000);
            // History wide enough for every value here (the server sizes it from --max-skew likewise):
            // beyond it a duplicate of a written value can only be reported late.
            final Scenario s = new Scenario(seed, new EngineConfig(idle, maxDelay, keep, 1 << 16), 1 + r.nextInt(30));
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
            final Scenario s = new Scenario(seed, new EngineConfig(500, 5_000, false, 1 << 16), 1 + r.nextInt(20));
            s.connectAllFirst = true;
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

        Run run() {
            final CollectingSink sink = new CollectingSink();
            final OrderingEngine engine = new OrderingEngine(config, sink);
            final Map<Integer, Integer> ids = new HashMap<>();
            if (connectAllFirst) {
                arrivals.forEach(a -> ids.computeIfAbsent(a.source, k -> engine.addSource(0)));
            }
            long nextTick = 0;
            for (Arrival a : arrivals) {
                while (nextTick <= a.atMs) {
                    closeDue(engine, ids, nextTick);
                    engine.advance(nextTick);
                    nextTick += tickMs;
                }
                final int id = ids.computeIfAbsent(a.source, k -> engine.addSource(a.atMs));
                engine.offer(id, a.value, a.atMs);
            }
            closeDue(engine, ids, Long.MAX_VALUE);
            engine.advance(nextTick + 10_000);
            engine.drain();
            return new Run(engine, sink);
        }

        private void closeDue(OrderingEngine engine, Map<Integer, Integer> ids, long nowMs) {
            closeAt.entrySet().removeIf(e -> {
                if (e.getValue() > nowMs || !ids.containsKey(e.getKey())) {
                    return false;
                }
                engine.removeSource(ids.get(e.getKey()));
                return true;
            });
        }
    }
}
