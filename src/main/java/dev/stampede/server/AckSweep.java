package dev.stampede.server;

import dev.stampede.runtime.Cadence;
import java.util.Arrays;

/**
 * Tells each connection that asked for acknowledgements how many of its lines are durable
 * (docs/PROTOCOL.md): every {@value #INTERVAL_MS} ms it moves each such connection's
 * {@link AckState} as far as the loop's {@link LoopOutput} says durability has come, and sends
 * {@code ACK <n>} where it changed or a heartbeat is due. One small write per connection per
 * change (about one per fsync) or per second, never one per line; nothing at all for connections
 * that did not ask. Owned by the loop's thread.
 */
final class AckSweep {
    /** How often acknowledgements move: well under the one-second heartbeat and the fsync interval. */
    static final long INTERVAL_MS = 100;

    private final LoopOutput output;
    private final Cadence cadence;
    private Connection[] ackers = new Connection[16];
    private int count;

    AckSweep(LoopOutput output, long nowMs) {
        this.output = output;
        this.cadence = new Cadence(INTERVAL_MS, nowMs);
    }

    /** {@code c} asked for acknowledgements: it hears from the next sweep on. */
    void add(Connection c) {
        if (count == ackers.length) {
            ackers = Arrays.copyOf(ackers, count * 2);
        }
        c.ackSlot = count;
        ackers[count++] = c;
    }

    /** {@code c} closed; constant time (the last one takes its slot). */
    void remove(Connection c) {
        final int slot = c.ackSlot;
        if (slot < 0) {
            return;
        }
        final Connection last = ackers[--count];
        ackers[slot] = last;
        last.ackSlot = slot;
        ackers[count] = null;
        c.ackSlot = -1;
    }

    /** Connections that asked for acknowledgements. */
    int size() {
        return count;
    }

    /** Once a pass: on its interval, moves and sends every connection's acknowledgement. */
    void sweep(long nowMs) {
        if (count == 0 || !cadence.due(nowMs)) {
            return;
        }
        final long handOff = output.handOffSeq();
        final long durableSeq = output.durableSeq();
        final long durableWatermark = output.durableWatermark();
        for (int i = 0; i < count; i++) {
            ackers[i].acknowledge(nowMs, handOff, durableSeq, durableWatermark);
        }
    }
}
