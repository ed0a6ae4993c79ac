package dev.stampede.server;

/**
 * The open connections, longest silent first: silent meaning without a valid timestamp, so a
 * connection that says nothing and one that dribbles bytes or sends only bad lines are alike. An
 * intrusive doubly linked list through the connections' own fields: a valid value moves its
 * connection to the tail in O(1) without allocating; the head is the connection to close once
 * silent for {@code --silent-timeout}, or to evict when the server is full.
 *
 * <p>Owned by the event loop's thread.
 */
final class SilenceList {
    private Connection head;
    private Connection tail;

    /** The connection silent the longest, or {@code null}. */
    Connection head() {
        return head;
    }

    /** A new connection: silent since now. */
    void add(Connection c, long nowMs) {
        c.lastValueMs = nowMs;
        append(c);
    }

    /** {@code c} sent a valid value now. */
    void heard(Connection c, long nowMs) {
        c.lastValueMs = nowMs;
        if (tail != c) {
            unlink(c);
            append(c);
        }
    }

    /** {@code c} closed. */
    void remove(Connection c) {
        unlink(c);
    }

    private void append(Connection c) {
        c.olderSilent = tail;
        c.newerSilent = null;
        if (tail != null) {
            tail.newerSilent = c;
        } else {
            head = c;
        }
        tail = c;
    }

    private void unlink(Connection c) {
        final Connection older = c.olderSilent;
        final Connection newer = c.newerSilent;
        if (older != null) {
            older.newerSilent = newer;
        } else if (head == c) {
            head = newer;
        }
        if (newer != null) {
            newer.olderSilent = older;
        } else if (tail == c) {
            tail = older;
        }
        c.olderSilent = null;
        c.newerSilent = null;
    }
}
