package dev.stampede.server;

import dev.stampede.protocol.Reject;
import dev.stampede.transport.TlsAcceptor;
import java.util.function.Consumer;

/**
 * The loop's periodic look at its connections, once a pass: closes those without a valid value
 * for {@code --silent-timeout}, and TLS handshakes not finished in time. The place for any other
 * per-connection job on a clock (an acknowledgement sweep, say). Owned by the loop's thread.
 */
final class ConnectionSweep {
    private final int index;
    private final LoopPeers peers;
    private final SilenceList silence;
    /** Holds {@code --silent-timeout}, which a reload may change. */
    private final ReloadableLimits limits;
    private final LoopCounters counters;
    /** The loop's TLS state, or {@code null}. */
    private final TlsAcceptor tls;
    private final Consumer<Object> onHandshakeTimeout;

    ConnectionSweep(int index, LoopPeers peers, SilenceList silence, ReloadableLimits limits, LoopCounters counters,
            TlsAcceptor tls) {
        this.index = index;
        this.peers = peers;
        this.silence = silence;
        this.limits = limits;
        this.counters = counters;
        this.tls = tls;
        this.onHandshakeTimeout = connection -> ((Connection) connection).handshakeTimedOut(tls);
    }

    /**
     * @param sweepMs the time before the last poll that returned every ready socket: silence, like
     *     idleness, is judged by it, since bytes waiting unread are not silence
     * @param nowMs the time of this pass
     */
    void sweep(long sweepMs, long nowMs) {
        closeSilent(sweepMs);
        if (tls != null) {
            tls.sweep(nowMs, onHandshakeTimeout);
        }
        if (peers.size() > 1) {
            final Connection head = silence.head();
            peers.publishSilentSince(index, head == null ? Long.MAX_VALUE : head.lastValueMs);
        }
    }

    private void closeSilent(long sweepMs) {
        final long silentTimeoutMs = limits.silentTimeoutMs();
        for (Connection c = silence.head(); silentTimeoutMs > 0 && c != null && c.lastValueMs + silentTimeoutMs <= sweepMs;
                c = silence.head()) {
            counters.silentClosed++;
            counters.reject(Reject.SILENT);
            c.closeWith(Reject.SILENT);
        }
    }
}
