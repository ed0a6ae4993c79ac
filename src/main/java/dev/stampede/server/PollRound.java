package dev.stampede.server;

/**
 * One round of polls: from the first poll after a pause (or a blocking poll) until every socket
 * that was ready when it began has been read once. A JDK poll returns at most {@value
 * EventLoop#SELECT_CAP} sockets, so with more ready than that a round is several polls taken at
 * once, and only then may the loop pause again ({@code --read-batch}).
 *
 * <p>Why a round ends by count and not at the first poll that comes back short: while a round
 * reads, the sockets it has read fill again (5,000 connections sending every 50 ms make 100 ready
 * a millisecond), and epoll hands them back behind the rest. A loop that waited for a short poll
 * before pausing could, once one pass over 1,024 sockets took longer than 1,024 of them take to
 * fill again, never pause at all: it then read every line on its own (one read per 14 bytes), the
 * costliest way there is, and stayed there (measured: a server asked for {@code --read-batch
 * 400ms} spent one full core in some runs, against a quarter in others). Linux's level-triggered
 * epoll returns ready sockets in the order they became ready, a socket it returned going back to
 * the end of the list, so once a round has taken as many keys as the selector holds, every socket
 * that was ready at the round's start has been read: the round's start time is then a time at which
 * every connection silent was truly silent (what the engine's idle sweep needs; {@link EventLoop}).
 * Owned by the loop's thread.
 */
final class PollRound {
    private long startMs;
    private long startWallMs;
    /** Keys the selector held at the round's start (connections and the listener). */
    private int registered;
    private int keys;

    /** A new round, whose first poll starts at these times, with this many keys registered. */
    void begin(long nowMs, long wallMs, int registeredKeys) {
        startMs = nowMs;
        startWallMs = wallMs;
        registered = registeredKeys;
        keys = 0;
    }

    /** After each poll of the round: it handed over {@code ready} keys. */
    void polled(int ready) {
        keys += ready;
    }

    /**
     * Whether every socket ready at the round's start has been read: the last poll came back short
     * of the cap (it returned all that was ready), or the round has read as many keys as there were.
     */
    boolean complete(int lastReady) {
        return lastReady < EventLoop.SELECT_CAP - 1 || keys >= registered;
    }

    /** Keys read in this round so far (a socket read twice counts twice). */
    int keys() {
        return keys;
    }

    /** Monotonic time of the round's first poll. */
    long startMs() {
        return startMs;
    }

    /** Wall-clock time of the round's first poll. */
    long startWallMs() {
        return startWallMs;
    }
}
