package dev.stampede.client;

/**
 * Connections waiting out their back-off, earliest retry first: a binary min-heap of
 * (time, connection index) in two primitive arrays, so adding and taking cost O(log n) and
 * allocate nothing. A connection is in it at most once (only while it waits), so {@code n} slots
 * are enough for {@code n} connections.
 *
 * <p>Not thread-safe: owned by the client's event loop.
 */
final class RetryQueue {
    private final long[] times;
    private final int[] indices;
    private int size;

    RetryQueue(int capacity) {
        times = new long[capacity];
        indices = new int[capacity];
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Adds connection {@code index}, to retry at {@code timeNs}. */
    void add(long timeNs, int index) {
        if (size == times.length) {
            throw new IllegalStateException("retry queue full: a connection was added twice");
        }
        int child = size++;
        while (child > 0) {
            final int parent = (child - 1) >>> 1;
            if (times[parent] <= timeNs) {
                break;
            }
            times[child] = times[parent];
            indices[child] = indices[parent];
            child = parent;
        }
        times[child] = timeNs;
        indices[child] = index;
    }

    /** When the earliest retry is due; only if not empty. */
    long peekTime() {
        return times[0];
    }

    /** Removes and returns the connection whose retry is earliest; only if not empty. */
    int poll() {
        final int top = indices[0];
        final int lastIndex = indices[--size];
        final long lastTime = times[size];
        int parent = 0;
        while (true) {
            int child = 2 * parent + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && times[child + 1] < times[child]) {
                child++;
            }
            if (times[child] >= lastTime) {
                break;
            }
            times[parent] = times[child];
            indices[parent] = indices[child];
            parent = child;
        }
        times[parent] = lastTime;
        indices[parent] = lastIndex;
        return top;
    }
}
