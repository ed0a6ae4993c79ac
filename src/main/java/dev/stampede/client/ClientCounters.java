package dev.stampede.client;

/**
 * The client's running totals, as plain fields: written by the event loop's parts (connector,
 * sender, loop), copied into a {@link dev.stampede.stats.ClientStats} snapshot for other threads.
 *
 * <p>Not thread-safe: owned by the client's event loop.
 */
final class ClientCounters {
    int connected;
    long sent;
    long missedLate;
    long missedDown;
    long missedFull;
    long replayed;
    long replayDropped;
    long reconnects;
    long failovers;
    long failures;
    long errors;
    /** Values the server acknowledged (each once). */
    long acked;
    /** Values dropped before they were acknowledged (past {@code --unacked}). */
    long droppedUnacked;
    /** Connections given up because a server known to acknowledge went silent. */
    long ackTimeouts;
}
