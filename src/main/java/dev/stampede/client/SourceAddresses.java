package dev.stampede.client;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Parses {@code --source-addresses}: local addresses the connections are bound to, round robin.
 *
 * <p>Why: a TCP connection is identified by (source address, source port, destination address,
 * destination port), and one source address has only the ephemeral port range (about 28,000
 * ports on Linux) to pair with one server address. More source addresses, more connections:
 * every 127.x.y.z is local on Linux, so {@code 127.0.0.1-127.0.0.4} gives four times as many.
 *
 * <p>Accepted forms: one address, an IPv4 range {@code A-B} (inclusive), or a comma list of both
 * ({@code 127.0.0.1,127.0.0.5-127.0.0.8}). Addresses must be literal: no name lookups. Stateless.
 */
public final class SourceAddresses {
    /** Most addresses one option may expand to. */
    public static final int MAX_ADDRESSES = 4096;

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private SourceAddresses() {}

    /**
     * @return the addresses, in order, at least one
     * @throws IllegalArgumentException with a message that says what is wrong
     */
    public static List<InetAddress> parse(String spec) {
        final List<InetAddress> out = new ArrayList<>();
        for (String part : spec.split(",", -1)) {
            final String p = part.trim();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("empty address in '" + spec + "'");
            }
            final int dash = p.indexOf('-');
            if (dash < 0) {
                out.add(literal(p));
            } else {
                range(p.substring(0, dash).trim(), p.substring(dash + 1).trim(), out);
            }
            if (out.size() > MAX_ADDRESSES) {
                throw new IllegalArgumentException("'" + spec + "' has more than " + MAX_ADDRESSES + " addresses");
            }
        }
        return List.copyOf(out);
    }

    private static void range(String from, String to, List<InetAddress> out) {
        final long a = ipv4(from);
        final long b = ipv4(to);
        if (b < a) {
            throw new IllegalArgumentException("range " + from + "-" + to + " goes backwards");
        }
        if (b - a >= MAX_ADDRESSES) {
            throw new IllegalArgumentException("range " + from + "-" + to + " has more than " + MAX_ADDRESSES
                    + " addresses");
        }
        for (long v = a; v <= b; v++) {
            out.add(fromInt(v));
        }
    }

    private static InetAddress literal(String s) {
        if (IPV4.matcher(s).matches()) {
            return fromInt(ipv4(s));
        }
        if (s.indexOf(':') >= 0) {
            try {
                return InetAddress.getByName(s.startsWith("[") ? s : "[" + s + "]"); // a literal: no lookup
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv6 address");
            }
        }
        throw new IllegalArgumentException("'" + s + "' is not an IP address (like 127.0.0.2)");
    }

    private static long ipv4(String s) {
        if (!IPV4.matcher(s).matches()) {
            throw new IllegalArgumentException("'" + s + "' is not an IPv4 address (ranges are IPv4 only)");
        }
        long v = 0;
        for (String octet : s.split("\\.")) {
            final int o = Integer.parseInt(octet);
            if (o > 255) {
                throw new IllegalArgumentException("'" + s + "' is not an IPv4 address (" + o + " > 255)");
            }
            v = (v << 8) | o;
        }
        return v;
    }

    private static InetAddress fromInt(long v) {
        final byte[] b = {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            throw new AssertionError(e); // four bytes are always a valid address
        }
    }
}
