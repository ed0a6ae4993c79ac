package dev.stampede.client;

/**
 * Connections waiting for a free connect slot (at most so many connects are in flight at once),
 * first come first served: a ring of indices with room for every connection.
 *
 * <p>Not thread-safe: owned by the client's event loop.
 */
final class ConnectQueue {
    private final int[] ring;
    private int head;
    private int size;

    ConnectQueue(int capacity) {
        ring = new int[capacity];
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    void add(int index) {
        if (size == ring.length) {
            throw new IllegalStateException("connect queue full: a connection was added twice");
        }
        ring[(head + size++) % ring.length] = index;
    }

    int poll() {
        final int index = ring[head];
        head = (head + 1) % ring.length;
        size--;
        return index;
    }
}
