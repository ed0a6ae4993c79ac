package dev.stampede.client;

import dev.stampede.client.ClientConnection.State;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A client loop's run of its {@link Schedule}, one {@link #step} per duty cycle: send every tick
 * that is due; sleep until the next one, or rather until the last one due within
 * {@link #coalesceNs} after it ({@link Schedule#wakeAt}), so that close sends share a wake-up.
 * {@code Selector.select} only sleeps in whole milliseconds, so waits shorter than
 * {@value #SELECT_MIN_NS} ns park the thread instead ({@code LockSupport.parkNanos}, microsecond
 * precision); longer ones select (handling socket events meanwhile) until about a millisecond
 * before. About every {@value #HOUSEKEEPING_NS} ns, on the wake-up of a send where there is one,
 * the loop's housekeeping runs (poll the sockets, start due reconnects, flush the record file,
 * publish stats). Ticks overdue by an interval or more (a pause) are skipped and counted, never
 * sent as a burst.
 *
 * <p>Not thread-safe: owned by the client's event loop. Allocates nothing per tick.
 */
final class ScheduleRun {
    /** What the loop does between sends, about every {@value #HOUSEKEEPING_NS} ns. */
    @FunctionalInterface
    interface Housekeeping {
        /** Polls the sockets, starts due reconnects, does what is periodic. */
        void run(long nowNs) throws IOException;
    }

    private static final long MS = 1_000_000L;
    private static final long HOUSEKEEPING_NS = 10 * MS;
    private static final long SELECT_MIN_NS = 2 * MS;
    /**
     * At most how much later than its due time a send may go out to share a wake-up with the sends
     * due before it: 1 ms (the system property {@code stampede.client.coalesceUs} sets another, 0
     * for none, for measurements), and never more than a twentieth of the interval
     * ({@link #coalesceNs}). A wake-up costs a loop about 20 µs of CPU here (timer, two context
     * switches, the futex calls of {@code parkNanos}); at 50 connections x 20/s (a send due every
     * millisecond) a 1 ms window halves the wake-ups, and at 5,000 connections one wake-up sends
     * about a hundred. See {@link Schedule#wakeAt}.
     */
    static final long COALESCE_MAX_NS = Long.getLong("stampede.client.coalesceUs", 1_000) * 1_000L;

    private final Schedule schedule;
    private final long intervalNs;
    private final long coalesceNs;
    private final ClientConnection[] connections;
    private final ClientCounters counters;
    private final LatenessRecorder lateness;
    private final Sender sender;
    private final Selector selector;
    private final Consumer<SelectionKey> onReady;
    private final Housekeeping housekeeping;
    private long nextHousekeepingNs;

    /**
     * @param connections the loop's connections, as the schedule numbers them
     * @param onReady what the loop does with a ready socket while it sleeps in its selector
     */
    ScheduleRun(Schedule schedule, long intervalNs, ClientConnection[] connections, ClientCounters counters,
            LatenessRecorder lateness, Sender sender, Selector selector, Consumer<SelectionKey> onReady,
            Housekeeping housekeeping, long startNs) {
        this.schedule = schedule;
        this.intervalNs = intervalNs;
        this.coalesceNs = coalesceNs(intervalNs);
        this.connections = connections;
        this.counters = counters;
        this.lateness = lateness;
        this.sender = sender;
        this.selector = selector;
        this.onReady = onReady;
        this.housekeeping = housekeeping;
        this.nextHousekeepingNs = startNs;
    }

    /**
     * The coalescing window at {@code intervalNs}: {@link #COALESCE_MAX_NS}, or a twentieth of the
     * interval if that is less, so that coalescing never makes a send nearly an interval late
     * (which would count it as missed).
     */
    static long coalesceNs(long intervalNs) {
        return Math.max(0, Math.min(COALESCE_MAX_NS, intervalNs / 20));
    }

    /** Whether the schedule has ended ({@code --duration}). */
    boolean finished() {
        return schedule.finished();
    }

    /** One pass: the due send (or the overdue skip), or housekeeping, or a sleep. */
    void step() throws IOException {
        final long now = System.nanoTime();
        final long due = schedule.due();
        final long housekeepingLateNs = now - nextHousekeepingNs;
        // Sends first, so housekeeping never delays one; but a loop that is always behind
        // still polls its sockets once a period.
        if (now - due >= 0 && housekeepingLateNs < HOUSEKEEPING_NS) {
            if (now - due >= intervalNs) {
                counters.missedLate += schedule.skipOverdue(now); // paused or behind: no burst
            } else {
                fire(connections[schedule.connection()], now - due);
                schedule.advance();
            }
            return;
        }
        if (housekeepingLateNs >= 0) {
            housekeeping.run(now);
            nextHousekeepingNs = now + HOUSEKEEPING_NS;
            return;
        }
        // Housekeeping rides on the wake-up of a send due soon after it, rather than cost a
        // wake-up of its own; with no send near, it wakes the loop half a period late.
        sleep(Math.min(schedule.wakeAt(coalesceNs), nextHousekeepingNs + HOUSEKEEPING_NS / 2) - now);
    }

    /** One tick of one connection: its current wall-clock time, written now. */
    private void fire(ClientConnection c, long lateNs) {
        if (c.state != State.UP) {
            counters.missedDown++;
            return;
        }
        final int dropped = c.ring.offer(System.currentTimeMillis());
        if (dropped == ReplayRing.REFUSED) {
            counters.missedFull++;
            return;
        }
        Acknowledgements.countDrops(counters, c, dropped);
        lateness.record(lateNs);
        sender.flush(c);
    }

    private void sleep(long ns) throws IOException {
        if (ns >= SELECT_MIN_NS) {
            // Whole milliseconds only: wake up to a millisecond early, then park for the rest.
            selector.select(onReady, ns / MS - 1);
        } else {
            LockSupport.parkNanos(ns);
        }
    }
}
