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
}
