package dev.stampede.server;

import dev.stampede.engine.OrderingEngine;
import dev.stampede.protocol.ErrReply;
import dev.stampede.protocol.LineDecoder;
import dev.stampede.protocol.Reject;
import dev.stampede.protocol.SkewCheck;
import dev.stampede.transport.TlsAcceptor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * Who gets in: an accepted socket takes one of the {@code --max-connections} slots (taken
 * atomically across the loops, in {@link LoopPeers}) and is registered with the loop; the server
 * being full, it takes the place of the connection silent the longest, if that one has been
 * silent for at least the idle timeout (it holds nobody back then, and a live client sends far
 * more often), so connections that say nothing can never keep real clients out; otherwise it is
 * refused with {@code ERR 0 server full}.
 *
 * <p>The longest silent of the whole server: with several loops, when another loop's longest
 * silent (as the loops publish it in {@link LoopPeers}, once a pass) went silent before this
 * loop's, the newcomer is handed to that loop, which evicts its own longest silent for it (or, if
 * that one spoke meanwhile, refuses it). A slot freed by an eviction is taken by compare-and-set
 * like any other, so {@code --max-connections} stays exact. Owned by the loop's thread.
 */
final class Admission {
    private final EventLoop loop;
    private final ServerConfig config;
    private final LoopPeers peers;
    private final int index;
    private final Selector selector;
    private final OrderingEngine engine;
    private final SilenceList silence;
    private final LoopCounters counters;
    private final SkewCheck skew;
    /** The loop's TLS state, or {@code null}. */
    private final TlsAcceptor tls;
    /** Holds {@code --max-connections}, which a reload may change. */
    private final ReloadableLimits limits;

    Admission(EventLoop loop, int index, ServerConfig config, LoopPeers peers, Selector selector,
            OrderingEngine engine, SilenceList silence, LoopCounters counters, TlsAcceptor tls) {
        this.loop = loop;
        this.index = index;
        this.config = config;
        this.peers = peers;
        this.selector = selector;
        this.engine = engine;
        this.silence = silence;
        this.counters = counters;
        this.skew = new SkewCheck(config.maxSkewMs());
        this.tls = tls;
        this.limits = peers.limits(config);
    }

    /**
     * Takes the socket in, or, the server being full, evicts a silent one for it or refuses it.
     *
     * @param evictForIt another loop passed the socket on because this one holds the server's
     *     longest-silent connection (it is never passed on again)
     */
    void admit(SocketChannel ch, boolean evictForIt) {
        try {
            // A slot is taken atomically across loops; one freed by an eviction may go to another
            // loop's newcomer first, so every connection let in past the limit cost an eviction.
            final int max = limits.maxConnections(); // a reload may change it: read at each accept
            final boolean slot = peers.takeSlot(max);
            if (!slot && !evictForIt && passToLongestSilentPeer(ch)) {
                return;
            }
            if (slot || (evictLongestSilent() && peers.takeSlot(max))) {
                try {
                    register(ch);
                } catch (IOException | RuntimeException e) {
                    peers.releaseSlot();
                    throw e;
                }
            } else {
                refuse(ch);
            }
        } catch (IOException e) {
            closeQuietly(ch);
        }
    }

    /**
     * The server is full: hands the newcomer to the loop holding the longest-silent connection of
     * the server, if that is another loop's and evictable.
     *
     * @return true if the other loop took the socket
     */
    private boolean passToLongestSilentPeer(SocketChannel ch) {
        if (peers.size() == 1) {
            return false;
        }
        final int peer = peers.longestSilentPeer(index);
        if (peer < 0) {
            return false;
        }
        final long since = peers.silentSince(peer);
        final Connection own = silence.head();
        if (own != null && own.lastValueMs <= since) {
            return false; // this loop's is the longest silent
        }
        if (since + config.engine().idleTimeoutMs() > loop.sweepMs()) {
            return false; // not evictable: nobody is
        }
        return peers.loop(peer).handOff(ch, true);
    }

    /** Closes this loop's connection silent the longest, if silent for the idle timeout. */
    private boolean evictLongestSilent() {
        final Connection c = silence.head();
        if (c == null || c.lastValueMs + config.engine().idleTimeoutMs() > loop.sweepMs()) {
            return false;
        }
        counters.evicted++;
        counters.reject(Reject.EVICTED);
        c.closeWith(Reject.EVICTED);
        return true;
    }

    private void register(SocketChannel ch) throws IOException {
        ch.configureBlocking(false);
        final long nowMs = loop.nowMs;
        final Connection c = new Connection(loop, ch, new LineDecoder(skew), engine.addSource(nowMs),
                tls == null ? null : tls.open(nowMs));
        counters.connectionsOpen++;
        silence.add(c, nowMs);
        try {
            c.attach(ch.register(selector, SelectionKey.OP_READ, c));
        } catch (IOException e) {
            engine.removeSource(c.source());
            silence.remove(c);
            counters.connectionsOpen--;
            throw e;
        }
    }

    /** Past --max-connections: say so without blocking (not in plaintext to a TLS client), and close. */
    private void refuse(SocketChannel ch) throws IOException {
        counters.refused++;
        counters.reject(Reject.SERVER_FULL);
        if (tls != null) {
            ch.close();
            return;
        }
        ch.configureBlocking(false);
        final ByteBuffer out = loop.replyBuffer.clear();
        ErrReply.put(out, 0, Reject.SERVER_FULL);
        ch.write(out.flip());
        ch.close();
    }

    static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // Closing on the way out: nothing useful to do with the error.
        }
    }
}
