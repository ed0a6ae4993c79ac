package dev.stampede.server;

/**
 * The server's settings that a reload (SIGHUP, docs/OPERATIONS.md) may change while it runs:
 * {@code --max-connections} and {@code --silent-timeout}. One instance for all the loops; each
 * reads them through a volatile field where it uses them (an accept, a sweep), so a change from
 * another thread takes effect at the loops' next accept or sweep, without a lock and without
 * waking them. Connections already open are never closed by a lower {@code max-connections}: it
 * only refuses (or evicts for) newcomers.
 */
public final class ReloadableLimits {
    private volatile int maxConnections;
    private volatile long silentTimeoutMs;

    ReloadableLimits(ServerConfig config) {
        this.maxConnections = config.maxConnections();
        this.silentTimeoutMs = config.silentTimeoutMs();
    }

    /** Connections the server admits at most, all loops together. */
    public int maxConnections() {
        return maxConnections;
    }

    /** A connection that sends no valid value this long is closed; 0 never. */
    public long silentTimeoutMs() {
        return silentTimeoutMs;
    }

    /** Takes {@code config}'s {@code max-connections} and {@code silent-timeout} (validated there). */
    public void apply(ServerConfig config) {
        this.maxConnections = config.maxConnections();
        this.silentTimeoutMs = config.silentTimeoutMs();
    }
}
