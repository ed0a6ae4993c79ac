package dev.stampede.transport;

import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import javax.net.ssl.SSLException;

/** Says in a few words why a TLS handshake failed, for a log line: the JDK's messages are long and indirect. */
public final class TlsErrors {
    private TlsErrors() {}

    /** A short reason for {@code e}, with a hint where there is an obvious one. */
    public static String describe(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException) {
                return "certificate expired (" + t.getMessage() + ")";
            }
            if (t instanceof CertificateNotYetValidException) {
                return "certificate not yet valid (" + t.getMessage() + ")";
            }
        }
        final String m = String.valueOf(e.getMessage());
        if (m.contains("Unsupported or unrecognized SSL message") || m.contains("Unrecognized SSL message")) {
            return "not TLS (a plaintext peer? both sides need TLS)";
        }
        if (m.contains("Empty client certificate chain") || m.contains("certificate_required")) {
            return "no client certificate (the server requires one: --tls-cert and --tls-key on the client)";
        }
        if (m.contains("No subject alternative") || m.contains("No name matching")) {
            return "the certificate does not name this server (" + m + "; connect by the name in the certificate, "
                    + "or give it with --tls-server-name)";
        }
        if (m.contains("PKIX path") || m.contains("unable to find valid certification path")) {
            return "certificate not trusted (not signed by the CA given: --tls-ca or --tls-client-ca)";
        }
        if (m.contains("Received fatal alert: bad_certificate") || m.contains("Received fatal alert: certificate_required")) {
            return "the server refused our certificate, or wants one (--tls-cert and --tls-key, signed by the CA of "
                    + "its --tls-client-ca)";
        }
        if (e instanceof SSLException && m.startsWith("Received fatal alert: ")) {
            return "the peer refused the handshake: " + m.substring("Received fatal alert: ".length());
        }
        return m;
    }
}
