package dev.stampede.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.RandomCases;
import java.util.ArrayDeque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** The connect queue and the retry heap against the JDK's collections as models. */
class QueuesTest {
    @TestFactory
    Stream<DynamicTest> retryQueueGivesTheEarliestFirst() {
        return RandomCases.of("retryQueue", 300, r -> retryQueueGivesTheEarliestFirst(RandomCases.ints(r, 0, 400, -1, 1_000)));
    }

    private static void retryQueueGivesTheEarliestFirst(List<Integer> ops) {
        final RetryQueue q = new RetryQueue(400);
        final PriorityQueue<long[]> model = new PriorityQueue<>((a, b) -> Long.compare(a[0], b[0]));
        int next = 0;
        for (int op : ops) {
            if (op < 0 || q.size() == 400) {
                if (!model.isEmpty()) {
                    final long earliest = model.peek()[0];
                    assertThat(q.peekTime()).isEqualTo(earliest);
                    final int index = q.poll();
                    // Ties may come out in any order: remove the one it gave.
                    assertThat(model.removeIf(e -> e[0] == earliest && e[1] == index)).isTrue();
                }
            } else {
                q.add(op, next);
                model.add(new long[] {op, next++});
            }
            assertThat(q.size()).isEqualTo(model.size());
        }
    }

    @TestFactory
    Stream<DynamicTest> connectQueueIsFirstInFirstOut() {
        return RandomCases.of("connectQueue", 200, r -> connectQueueIsFirstInFirstOut(RandomCases.ints(r, 0, 300, -1, 50)));
    }

    private static void connectQueueIsFirstInFirstOut(List<Integer> ops) {
        final ConnectQueue q = new ConnectQueue(64);
        final ArrayDeque<Integer> model = new ArrayDeque<>();
        for (int op : ops) {
            if (op < 0 || model.size() == 64) {
                if (!model.isEmpty()) {
                    assertThat(q.poll()).isEqualTo(model.poll());
                }
            } else {
                q.add(op);
                model.add(op);
            }
            assertThat(q.size()).isEqualTo(model.size());
            assertThat(q.isEmpty()).isEqualTo(model.isEmpty());
        }
    }
}
