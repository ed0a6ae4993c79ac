package dev.stampede.transport;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A certificate check that remembers the chains it has accepted: a client opens many connections
 * with one certificate, every connection of a client checks the same server certificate, and after
 * a server restart thousands of handshakes come at once. A chain accepted before is accepted again
 * without PKIX (path building, extensions, constraints) while every certificate in it is within
 * its validity. The CA's signature is not what it saves: the JDK already remembers the
 * certificates it parsed and the signatures it verified. What it saves is PKIX's own work and
 * garbage: measured in memory (mutual TLS 1.3, EC P-256, JDK 17), 0.15 ms of 3.7 ms of the two
 * sides' handshake CPU, 0.4 ms of 5.0 ms of the process's (the collector's share included);
 * docs/PERFORMANCE.md, TLS. What it remembers is exactly what was checked: the chain, the key
 * exchange, and for a server's certificate the name it was checked against (HTTPS rules), so a
 * certificate accepted for one name is checked in full for another. The proof that the peer
 * holds the key (its signature over the handshake) is checked by the engine on every handshake,
 * cached or not.
 *
 * <p>Nothing else enters the decision: the trusted CAs are fixed for the context's life and no
 * revocation is checked (see docs/SECURITY.md). Bounded ({@value #MAX_CHAINS} chains, least
 * recently used out); thread-safe.
 */
final class ChainCache extends X509ExtendedTrustManager {
    static final int MAX_CHAINS = 1024;

    private final X509ExtendedTrustManager pkix;
    private final Map<Key, long[]> accepted = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, long[]> eldest) {
            return size() > MAX_CHAINS;
        }
    };

    ChainCache(X509ExtendedTrustManager pkix) {
        this.pkix = pkix;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        final Key key = new Key(List.of(chain), authType, null, null);
        if (known(key)) {
            return;
        }
        pkix.checkClientTrusted(chain, authType, engine);
        remember(key, chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        pkix.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        final Key key = new Key(List.of(chain), authType, engine == null ? null : engine.getPeerHost(),
                engine == null ? null : engine.getSSLParameters().getEndpointIdentificationAlgorithm());
        if (known(key)) {
            return;
        }
        pkix.checkServerTrusted(chain, authType, engine);
        remember(key, chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        pkix.checkServerTrusted(chain, authType, socket);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }

    /** Chains in the cache now (for tests). */
    synchronized int size() {
        return accepted.size();
    }

    /** Whether the chain was accepted before and every certificate in it is valid now. */
    private synchronized boolean known(Key key) {
        final long[] validity = accepted.get(key);
        if (validity == null) {
            return false;
        }
        final long now = System.currentTimeMillis();
        if (now < validity[0] || now > validity[1]) {
            accepted.remove(key); // expired (or not yet valid): PKIX says why, and says no
            return false;
        }
        return true;
    }

    private synchronized void remember(Key key, X509Certificate[] chain) {
        long from = Long.MIN_VALUE;
        long until = Long.MAX_VALUE;
        for (X509Certificate c : chain) {
            from = Math.max(from, c.getNotBefore().getTime());
            until = Math.min(until, c.getNotAfter().getTime());
        }
        accepted.put(key, new long[] {from, until});
    }

    /**
     * A chain (certificates compare by their encoding), the key exchange it was checked for, and
     * for a server's chain the name and the identification rules it was checked against.
     */
    private record Key(List<X509Certificate> chain, String authType, String host, String identification) {
        @Override
        public String toString() {
            return Arrays.toString(chain.stream().map(c -> c.getSubjectX500Principal().getName()).toArray())
                    + (host != null ? " for " + host : "");
        }
    }
}
