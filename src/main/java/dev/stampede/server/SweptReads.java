package dev.stampede.server;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * With a fixed {@code --read-batch} of {@value #FROM_MS} ms or more, the connections that have
 * lines waiting at every wake-up are read by a sweep over an array, once a round, instead of being
 * found by the selector.
 *
 * <p>Why: at such a pause nearly every socket holds lines when the loop wakes, so asking epoll
 * which ones only adds work per socket: the kernel checks each one on its ready list again, and
 * the JDK's selector looks each up by its descriptor in a {@code HashMap} and calls back (4 % of
 * the server's CPU at {@code --read-batch 100ms}, more than decoding the lines; with the sweep,
 * an eighth less CPU in all: docs/PERFORMANCE.md, "Reading by sweep"). A swept connection has
 * no read interest in the selector (write interest only while a reply waits), so the kernel does
 * not track its arrivals.
 *
 * <p>Which connections: one that the selector found ready in two rounds in a row joins the sweep
 * (a plaintext one: TLS reads stay with the selector); one whose sweep read finds nothing leaves
 * it, back to the selector. So a quiet or slow connection costs one read per arrival, as without
 * the sweep, never an empty read per round; and once a whole sweep finds nothing, every
 * connection is back with the selector, whose blocking poll then wakes the loop for the next
 * arrival.
 *
 * <p>What a round guarantees is unchanged: a swept connection is read once after the round began
 * (before its poll), so every socket that held bytes at the round's start has been read once when
 * the round ends ({@link PollRound}). Owned by the loop's thread.
 */
final class SweptReads {
    /**
     * The shortest pause that sweeps: the protocol's send interval (50 ms), from which a socket
     * holds a line at nearly every wake-up. Shorter pauses would find most sockets empty.
     */
    static final long FROM_MS = 50;
    /** Sweep reads between two readings of the clock (as between two polls of at most 1,024). */
    private static final int CLOCK_EVERY = EventLoop.SELECT_CAP;

    private final Runnable readClock;
    private Connection[] swept = new Connection[64];
    private int count;
    private long round;

    /** @param readClock refreshes the loop's clock, which decoding stamps values with */
    SweptReads(Runnable readClock) {
        this.readClock = readClock;
    }

    /** Whether a loop with this {@code --read-batch} sweeps. */
    static boolean applies(long pauseMs, boolean adaptive) {
        return !adaptive && pauseMs >= FROM_MS;
    }

    /** Connections in the sweep now. */
    int count() {
        return count;
    }

    /**
     * A new round begins (before its first poll): reads every swept connection once. One that had
     * nothing leaves the sweep; one closed meanwhile is dropped.
     *
     * @return how many gave bytes
     */
    int beginRound(ByteBuffer buffer) {
        round++;
        final int n = count;
        int kept = 0;
        int withBytes = 0;
        for (int i = 0; i < n; i++) {
            final Connection c = swept[i];
            if (c.isClosed()) {
                continue;
            }
            if (i % CLOCK_EVERY == CLOCK_EVERY - 1) {
                readClock.run();
            }
            final int got = c.read(buffer);
            if (got > 0) {
                withBytes++;
                swept[kept++] = c;
            } else if (got == 0) {
                c.swept(false);
            }
        }
        // Nothing joins while sweeping, but keep whatever did.
        for (int i = n; i < count; i++) {
            swept[kept++] = swept[i];
        }
        Arrays.fill(swept, kept, count, null);
        count = kept;
        return withBytes;
    }

    /**
     * The selector found {@code c} ready in this round and it was read ({@code got} bytes, -1 if it
     * closed): ready in the round before too, it joins the sweep.
     */
    void readByPoll(Connection c, int got) {
        if (got <= 0 || c.isClosed() || !c.sweepable() || c.isSwept()) {
            return;
        }
        if (c.polledInRound == round - 1) {
            c.swept(true);
            if (count == swept.length) {
                swept = Arrays.copyOf(swept, count * 2);
            }
            swept[count++] = c;
        }
        c.polledInRound = round;
    }
}
