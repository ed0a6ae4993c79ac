package dev.stampede.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;

/**
 * Property-based tests without a library: many generated cases, each from a seed shown in its
 * name, so a failure replays exactly with {@link #replay}. The seeds derive from the property's
 * name: the same cases run every time, on every machine.
 */
public final class RandomCases {
    private RandomCases() {}

    /** {@code count} cases of {@code property}, each a dynamic test named by its seed. */
    public static Stream<DynamicTest> of(String property, int count, Consumer<SplittableRandom> body) {
        final SplittableRandom seeds = new SplittableRandom(property.hashCode());
        return IntStream.range(0, count).mapToObj(i -> {
            final long seed = seeds.nextLong();
            return DynamicTest.dynamicTest("seed " + seed, () -> replay(seed, body));
        });
    }

    /** Runs one case from its seed (paste a failing seed here to debug it). */
    public static void replay(long seed, Consumer<SplittableRandom> body) {
        body.accept(new SplittableRandom(seed));
    }

    /** A list of {@code minSize..maxSize} ints, each in {@code min..max}. */
    public static List<Integer> ints(SplittableRandom r, int minSize, int maxSize, int min, int max) {
        final int n = minSize + r.nextInt(maxSize - minSize + 1);
        final List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(min + r.nextInt(max - min + 1));
        }
        return out;
    }

    /** A long in {@code min..max}. */
    public static long between(SplittableRandom r, long min, long max) {
        return min + r.nextLong(max - min + 1);
    }
}
