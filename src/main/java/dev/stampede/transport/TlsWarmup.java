package dev.stampede.transport;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Full TLS handshakes with the server's own key, engine to engine in memory, before the server
 * listens: so that the JIT has compiled the handshake's code (key exchange, signature and its
 * check, the TLS state machine) before a reconnect storm needs it.
 *
 * <p>Why: after a restart, thousands of clients come back at once and none can resume its session
 * (the JDK's session ticket keys live and die with the process). While the JIT is cold, a handshake
 * costs the server's loop several times what it costs once compiled, and the storm takes that much
 * longer. Here both sides of each handshake run on the calling thread, bounded in time: the client
 * side exercises the same key exchange and ECDSA code, so its work is not wasted either.
 *
 * <p>The handshakes use a context of their own (the server's key managers, and a trust manager
 * that accepts any certificate: its engines never touch a socket, they only talk to each other), so
 * the real context's trust, session cache and statistics are untouched. Only an optimization:
 * whatever fails here is reported and the server goes on without it. Stateless.
 */
public final class TlsWarmup {
    /**
     * How long a server warms up at most, settling of the JIT included: about 250 handshakes on a
     * quiet 2-core machine, 15-130 on a busy one (docs/PERFORMANCE.md). Every millisecond of it
     * delays listening, so it is kept short.
     */
    public static final long DEFAULT_BUDGET_MS = 1_500;
    /** Enough for the JIT's hottest paths; the budget usually ends the warm-up first. */
    static final int MAX_HANDSHAKES = 1_000;
    /** Wrap/unwrap rounds one handshake may take before it counts as stuck. */
    private static final int MAX_ROUNDS = 64;
    private static final long SETTLE_POLL_MS = 20;
    private static final long MS = 1_000_000L;

    private TlsWarmup() {}

    /**
     * What a warm-up did.
     *
     * @param handshakes full handshakes completed
     * @param elapsedMs wall time, settling of the JIT included
     * @param failure why it stopped early, or {@code null}
     */
    public record Result(int handshakes, long elapsedMs, String failure) {
        /** The server's log line. */
        public String describe() {
            return "server: TLS warm-up: " + handshakes + " handshakes in " + elapsedMs + " ms"
                    + (failure == null ? "" : " (stopped: " + failure + ")");
        }
    }

    /**
     * Warms up on the server's current key and certificate, for at most {@code budgetMs}. Never
     * throws: a failure ends the warm-up and is returned in {@link Result#failure()}.
     */
    public static Result run(ServerTls tls, long budgetMs) {
        final long t0 = System.nanoTime();
        final long deadline = t0 + budgetMs * MS;
        int done = 0;
        String failure = null;
        try {
            final KeyManager[] keys = tls.keyManagers();
            if (keys == null) {
                return new Result(0, 0, "no key to warm up with (context given as is)");
            }
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys, new TrustManager[] {new AcceptAnything()}, null);
            final boolean clientAuth = tls.clientAuth();
            while (done < MAX_HANDSHAKES && System.nanoTime() - deadline < 0) {
                handshake(context, clientAuth);
                done++;
            }
        } catch (GeneralSecurityException | SSLException | RuntimeException e) {
            failure = e.toString();
        }
        if (failure == null) {
            settle(deadline);
        }
        return new Result(done, (System.nanoTime() - t0) / MS, failure);
    }

    /**
     * One full handshake between a client engine and a server engine of {@code context}. The client
     * engine has no peer host, so the JDK keeps no session for it: every handshake is a full one.
     *
     * @throws SSLException if the handshake fails or does not finish
     */
    static void handshake(SSLContext context, boolean clientAuth) throws SSLException {
        final SSLEngine server = context.createSSLEngine();
        server.setUseClientMode(false);
        server.setNeedClientAuth(clientAuth);
        final SSLEngine client = context.createSSLEngine();
        client.setUseClientMode(true);
        handshake(client, server);
    }

    /**
     * One handshake between two engines in memory, to its end.
     *
     * @throws SSLException if it fails (either side's verdict) or does not finish
     */
    static void handshake(SSLEngine client, SSLEngine server) throws SSLException {
        final int net = Math.max(server.getSession().getPacketBufferSize(), 1 << 14) * 4;
        final ByteBuffer toServer = ByteBuffer.allocate(net);
        final ByteBuffer toClient = ByteBuffer.allocate(net);
        final ByteBuffer app = ByteBuffer.allocate(server.getSession().getApplicationBufferSize());
        client.beginHandshake();
        for (int round = 0; round < MAX_ROUNDS; round++) {
            step(client, toClient, toServer, app);
            step(server, toServer, toClient, app);
            if (done(client) && done(server) && toServer.position() == 0 && toClient.position() == 0) {
                return;
            }
        }
        throw new SSLException("the warm-up handshake did not finish in " + MAX_ROUNDS + " rounds");
    }

    private static boolean done(SSLEngine e) {
        final HandshakeStatus hs = e.getHandshakeStatus();
        return hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED;
    }

    /**
     * Lets {@code engine} take what its peer sent ({@code in}, write mode) and answer into
     * {@code out} (write mode), until it needs more from the peer.
     */
    private static void step(SSLEngine engine, ByteBuffer in, ByteBuffer out, ByteBuffer app) throws SSLException {
        in.flip();
        try {
            for (int i = 0; i < MAX_ROUNDS; i++) {
                final HandshakeStatus hs = engine.getHandshakeStatus();
                if (hs == HandshakeStatus.NEED_TASK) {
                    for (Runnable task = engine.getDelegatedTask(); task != null; task = engine.getDelegatedTask()) {
                        task.run();
                    }
                } else if (hs == HandshakeStatus.NEED_WRAP) {
                    final SSLEngineResult r = engine.wrap(ByteBuffer.allocate(0), out);
                    if (r.getStatus() != SSLEngineResult.Status.OK) {
                        throw new SSLException("warm-up wrap: " + r.getStatus());
                    }
                } else if (in.hasRemaining()) {
                    app.clear();
                    final SSLEngineResult r = engine.unwrap(in, app);
                    if (r.getStatus() != SSLEngineResult.Status.OK) {
                        return; // a record cut short cannot happen in memory; CLOSED: the other side says why
                    }
                } else {
                    return;
                }
            }
        } finally {
            in.compact();
        }
    }

    /**
     * Until the deadline, waits while the JIT is still compiling what the handshakes made hot:
     * compiler threads still running when the storm starts take the cores from the loop.
     */
    private static void settle(long deadline) {
        final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return;
        }
        long before = -1;
        while (System.nanoTime() - deadline < 0) {
            final long compiledMs = jit.getTotalCompilationTime();
            if (compiledMs == before) {
                return;
            }
            before = compiledMs;
            try {
                Thread.sleep(SETTLE_POLL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Accepts every certificate: for the warm-up's own engines only, which talk to each other in
     * memory and never to a peer (see the class comment). The real context keeps its real trust.
     */
    private static final class AcceptAnything extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
