package dev.stampede.server;

import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * What the event loops of one server share with their peers: each engine's {@link
 * dev.stampede.engine.OrderingEngine#frontier frontier} and newest value, so that their sources
 * hold one watermark together; the count of open connections, for {@code --max-connections};
 * when each loop's longest-silent connection went silent, so that a newcomer to a full server
 * takes the place of the longest silent of the whole server; the listening socket and the loops
 * themselves, for handing accepted sockets round.
 *
 * <p>Each loop writes its own slots once per pass and reads the others' (plain volatile longs,
 * a cache line apart so that two loops never write the same line): no lock, nothing per value.
 */
final class LoopPeers {
    /** Longs between two loops' slots: 64 bytes, one cache line. */
    private static final int STRIDE = 8;

    private final int size;
    private final AtomicLongArray frontiers;
    private final AtomicLongArray newests;
    /** When each loop's longest-silent connection went silent ({@link Long#MAX_VALUE}: none). */
    private final AtomicLongArray silentSince;
    /** Sockets handed to each loop and not yet in its published frontier. */
    private final AtomicIntegerArray arriving;
    private final AtomicInteger connections = new AtomicInteger();
    /** Round robin over the loops, for accepted sockets. */
    private final AtomicInteger nextLoop = new AtomicInteger();
    private volatile ServerSocketChannel listener;
    private final EventLoop[] loops;
    /** The limits a reload may change, made from the first loop's config. */
    private ReloadableLimits limits;

    LoopPeers(int size) {
        this.size = size;
        this.frontiers = new AtomicLongArray(size * STRIDE);
        this.newests = new AtomicLongArray(size * STRIDE);
        this.silentSince = new AtomicLongArray(size * STRIDE);
        this.arriving = new AtomicIntegerArray(size * STRIDE * 2);
        this.loops = new EventLoop[size];
        for (int i = 0; i < size; i++) {
            // Until a loop has passed once, it holds nothing up and adds nothing.
            frontiers.set(i * STRIDE, Long.MAX_VALUE);
            newests.set(i * STRIDE, Long.MIN_VALUE);
            silentSince.set(i * STRIDE, Long.MAX_VALUE);
        }
    }

    int size() {
        return size;
    }

    void set(int index, EventLoop loop) {
        loops[index] = loop;
    }

    EventLoop loop(int index) {
        return loops[index];
    }

    /** Loop {@code self}'s engine after a pass. */
    void publish(int self, long frontier, long newest) {
        frontiers.setRelease(self * STRIDE, frontier);
        newests.setRelease(self * STRIDE, newest);
    }

    /**
     * The lowest frontier of the loops other than {@code self}; {@link Long#MIN_VALUE} (hold still)
     * while any loop has sockets on their way to it: as with one loop, a connection holds the
     * watermark from the moment it is accepted.
     */
    long peersFrontier(int self) {
        long min = Long.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            if (arriving.getAcquire(i * STRIDE * 2) > 0) {
                return Long.MIN_VALUE; // this loop's own arrivals too: they hold it from their accept
            }
            if (i != self) {
                min = Math.min(min, frontiers.getAcquire(i * STRIDE));
            }
        }
        return min;
    }

    /** The listening socket: loop 0 polls it; every loop may accept from it. */
    void listener(ServerSocketChannel channel) {
        listener = channel;
    }

    ServerSocketChannel listener() {
        return listener;
    }

    /** The loop the next accepted socket goes to. */
    int nextLoop() {
        return Math.floorMod(nextLoop.getAndIncrement(), size);
    }

    /** The acceptor is about to hand loop {@code target} a socket. */
    void arriving(int target) {
        arriving.getAndIncrement(target * STRIDE * 2);
    }

    /** Loop {@code self} registered {@code count} handed sockets and published a frontier that counts them. */
    void arrived(int self, int count) {
        arriving.getAndAdd(self * STRIDE * 2, -count);
    }

    /** The highest newest value of the loops other than {@code self}. */
    long peersNewest(int self) {
        long max = Long.MIN_VALUE;
        for (int i = 0; i < size; i++) {
            if (i != self) {
                max = Math.max(max, newests.getAcquire(i * STRIDE));
            }
        }
        return max;
    }

    /** The limits shared by every loop: made from {@code config} on the first call. */
    synchronized ReloadableLimits limits(ServerConfig config) {
        if (limits == null) {
            limits = new ReloadableLimits(config);
        }
        return limits;
    }

    /** Takes a connection slot if fewer than {@code max} are taken (any loop, atomically). */
    boolean takeSlot(int max) {
        for (int n = connections.get(); n < max; n = connections.get()) {
            if (connections.compareAndSet(n, n + 1)) {
                return true;
            }
        }
        return false;
    }

    /** A connection closed (or was never registered): its slot is free. */
    void releaseSlot() {
        connections.decrementAndGet();
    }

    /**
     * Loop {@code self}'s longest-silent connection went silent at {@code sinceMs} (monotonic;
     * {@link Long#MAX_VALUE}: it has none). Once a pass: a hint where to evict, which the owning
     * loop checks again before it evicts.
     */
    void publishSilentSince(int self, long sinceMs) {
        silentSince.setRelease(self * STRIDE, sinceMs);
    }

    /** The loop other than {@code self} whose longest-silent connection is the oldest; -1 if none has one. */
    int longestSilentPeer(int self) {
        int found = -1;
        long oldest = Long.MAX_VALUE;
        for (int i = 0; i < size; i++) {
            final long since = silentSince.getAcquire(i * STRIDE);
            if (i != self && since < oldest) {
                oldest = since;
                found = i;
            }
        }
        return found;
    }

    /** When loop {@code index}'s longest-silent connection went silent, as it last published. */
    long silentSince(int index) {
        return silentSince.getAcquire(index * STRIDE);
    }
}
