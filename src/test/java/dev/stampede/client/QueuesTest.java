package dev.stampede.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.List;
import java.util.PriorityQueue;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** The connect queue and the retry heap against the JDK's collections as models. */
class QueuesTest {
    @Property(tries = 300)
    void retryQueueGivesTheEarliestFirst(
            @ForAll @Size(max = 400) List<@IntRange(min = -1, max = 1_000) Integer> ops) {
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

    @Property(tries = 200)
    void connectQueueIsFirstInFirstOut(@ForAll @Size(max = 300) List<@IntRange(min = -1, max = 50) Integer> ops) {
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
