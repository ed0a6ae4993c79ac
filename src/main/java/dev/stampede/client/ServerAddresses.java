package dev.stampede.client;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code --host}: the servers the client spreads its connections over, in order,
 * {@code HOST[:PORT][,HOST[:PORT]...]}.
 *
 * <p>A host is a name, an IPv4 literal, or an IPv6 literal; an IPv6 literal with a port is written
 * in brackets ({@code [::1]:5050}); a bare IPv6 literal ({@code ::1}, more than one colon and no
 * brackets) takes the default port. A host without a port takes the default port ({@code --port}).
 *
 * <p>{@link #parse} only splits and checks the syntax (no name lookups, so it can be tested
 * anywhere); {@link #resolve} looks the names up. Stateless.
 */
public final class ServerAddresses {
    /** Most servers one client spreads over. */
    public static final int MAX_SERVERS = 256;

    private ServerAddresses() {}

    /**
     * @param spec the option's value
     * @param defaultPort the port of hosts given without one
     * @return unresolved addresses, in the order given, at least one
     * @throws IllegalArgumentException with a message that names the bad entry
     */
    public static List<InetSocketAddress> parse(String spec, int defaultPort) {
        checkPort(defaultPort, "--port must be 1 to 65535, not " + defaultPort);
        final List<InetSocketAddress> out = new ArrayList<>();
        for (String part : spec.split(",", -1)) {
            final String p = part.trim();
            if (p.isEmpty()) {
                throw new IllegalArgumentException("--host '" + spec + "': an empty entry (expected HOST[:PORT],...)");
            }
            out.add(entry(p, defaultPort));
            if (out.size() > MAX_SERVERS) {
                throw new IllegalArgumentException("--host lists more than " + MAX_SERVERS + " servers");
            }
        }
        return List.copyOf(out);
    }

    /**
     * Looks every host up (a literal needs no lookup) and refuses the same server twice: a
     * connection would "fail over" to where it already is.
     *
     * @throws IllegalArgumentException naming the host that cannot be resolved, or listed twice
     */
    public static List<InetSocketAddress> resolve(List<InetSocketAddress> unresolved) {
        final List<InetSocketAddress> out = new ArrayList<>(unresolved.size());
        for (InetSocketAddress u : unresolved) {
            final InetSocketAddress a;
            try {
                a = new InetSocketAddress(InetAddress.getByName(u.getHostString()), u.getPort());
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("--host '" + u.getHostString() + "': cannot resolve it");
            }
            if (out.contains(a)) {
                throw new IllegalArgumentException("--host lists " + format(a) + " twice");
            }
            out.add(a);
        }
        return List.copyOf(out);
    }

    /** {@code host:port}, IPv6 in brackets, the address rather than the name when resolved. */
    public static String format(InetSocketAddress a) {
        final String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** Every address, comma separated. */
    public static String format(List<InetSocketAddress> all) {
        final StringBuilder b = new StringBuilder();
        for (InetSocketAddress a : all) {
            b.append(b.length() == 0 ? "" : ",").append(format(a));
        }
        return b.toString();
    }

    private static InetSocketAddress entry(String p, int defaultPort) {
        final String host;
        final String port;
        if (p.startsWith("[")) {
            final int close = p.indexOf(']');
            if (close < 0) {
                throw bad(p, "no closing ']'");
            }
            host = p.substring(1, close);
            final String rest = p.substring(close + 1);
            if (rest.isEmpty()) {
                port = null;
            } else if (rest.startsWith(":")) {
                port = rest.substring(1);
            } else {
                throw bad(p, "expected ':PORT' after ']'");
            }
            if (host.indexOf(':') < 0) {
                throw bad(p, "brackets are for IPv6 literals");
            }
        } else {
            final int first = p.indexOf(':');
            final int last = p.lastIndexOf(':');
            if (first < 0) {
                host = p;
                port = null;
            } else if (first == last) {
                host = p.substring(0, first);
                port = p.substring(first + 1);
            } else {
                host = p; // a bare IPv6 literal: no port (write [::1]:5050 for one)
                port = null;
            }
        }
        if (host.isEmpty()) {
            throw bad(p, "no host");
        }
        if (host.chars().anyMatch(ch -> Character.isWhitespace(ch) || ch == '/' || ch == '[' || ch == ']')) {
            throw bad(p, "not a host name or address");
        }
        return InetSocketAddress.createUnresolved(host, port == null ? defaultPort : port(p, port));
    }

    private static int port(String entry, String port) {
        final int n;
        try {
            n = port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)
                    ? -1 : Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw bad(entry, "the port must be a number 1 to 65535");
        }
        checkPort(n, "--host '" + entry + "': the port must be a number 1 to 65535");
        return n;
    }

    private static void checkPort(int port, String message) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException(message);
        }
    }

    private static IllegalArgumentException bad(String entry, String why) {
        return new IllegalArgumentException("--host '" + entry + "': " + why + " (expected HOST[:PORT], [IPv6]:PORT)");
    }
}
