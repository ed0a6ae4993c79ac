package dev.stampede.engine;

import java.util.Arrays;

/**
 * Per-source state of the engine in parallel primitive arrays, indexed by source id, with the
 * active sources on an intrusive LRU list ordered by the time they last sent a value: the least
 * recently heard source is at the head, so idle sources are found in O(1) each.
 *
 * <p>Grows by doubling; ids of removed sources are reused. Not thread-safe.
 */
final class SourceTable {
    static final int NONE = -1;

    static final byte FREE = 0;
    static final byte ACTIVE = 1;
    static final byte IDLE = 2;

    long[] latest;
    long[] lastSeenMs;
    private int[] prev;
    private int[] next;
    private byte[] state;
    private int[] freeIds;
    private int freeCount;
    private int highWater;

    private int head = NONE;
    private int tail = NONE;

    SourceTable(int initialCapacity) {
        final int n = Math.max(16, initialCapacity);
        latest = new long[n];
        lastSeenMs = new long[n];
        prev = new int[n];
        next = new int[n];
        state = new byte[n];
        freeIds = new int[n];
    }

    /** A fresh id in state {@link #IDLE}, latest {@link Long#MIN_VALUE}. */
    int allocate() {
        final int id = freeCount > 0 ? freeIds[--freeCount] : highWater++;
        if (id >= state.length) {
            grow();
        }
        latest[id] = Long.MIN_VALUE;
        lastSeenMs[id] = 0;
        prev[id] = NONE;
        next[id] = NONE;
        state[id] = IDLE;
        return id;
    }

    void free(int id) {
        state[id] = FREE;
        freeIds[freeCount++] = id;
    }

    byte state(int id) {
        return state[id];
    }

    void setState(int id, byte s) {
        state[id] = s;
    }

    /** Whether {@code id} names a live (allocated) source. */
    boolean isLive(int id) {
        return id >= 0 && id < highWater && state[id] != FREE;
    }

    int head() {
        return head;
    }

    boolean isTail(int id) {
        return tail == id;
    }

    void append(int id) {
        prev[id] = tail;
        next[id] = NONE;
        if (tail != NONE) {
            next[tail] = id;
        } else {
            head = id;
        }
        tail = id;
    }

    void unlink(int id) {
        final int p = prev[id];
        final int n = next[id];
        if (p != NONE) {
            next[p] = n;
        } else {
            head = n;
        }
        if (n != NONE) {
            prev[n] = p;
        } else {
            tail = p;
        }
        prev[id] = NONE;
        next[id] = NONE;
    }

    private void grow() {
        final int n = state.length * 2;
        latest = Arrays.copyOf(latest, n);
        lastSeenMs = Arrays.copyOf(lastSeenMs, n);
        prev = Arrays.copyOf(prev, n);
        next = Arrays.copyOf(next, n);
        state = Arrays.copyOf(state, n);
        freeIds = Arrays.copyOf(freeIds, n);
    }
}
