package dev.stampede.metrics;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The HTTP endpoint of {@code --metrics}: {@code /metrics} (Prometheus text format, or OpenMetrics
 * when asked), {@code /-/healthy} (200 while the process serves HTTP at all: liveness, served by
 * the exporter's HTTP server) and {@code /-/ready} (200 {@code ready}, or 503 with the reason: see
 * {@link Readiness}), on one daemon thread, with a registry of its own holding the program's
 * collector, {@code stampede_build_info} and the JVM and process metrics of the Prometheus Java
 * client's instrumentation module ({@code jvm_*}, {@code process_*}).
 */
public final class MetricsServer implements AutoCloseable {
    /** The address when only a port is given: this machine only, like the server's --bind. */
    public static final String DEFAULT_HOST = "127.0.0.1";

    private static final Pattern SPEC = Pattern.compile("(?:(\\[[^\\]]+\\]|[^:\\[\\]]+):)?(\\d{1,5})");

    private final HTTPServer http;
    private final InetSocketAddress address;

    private MetricsServer(HTTPServer http, InetSocketAddress address) {
        this.http = http;
        this.address = address;
    }

    /**
     * Parses {@code [ADDR:]PORT}: {@code 9400}, {@code 127.0.0.1:9400}, {@code 0.0.0.0:0},
     * {@code [::1]:9400}, {@code localhost:9400}. A bare port binds {@value #DEFAULT_HOST}.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static InetSocketAddress parse(String spec) {
        final Matcher m = SPEC.matcher(spec.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + spec + "' is not [ADDR:]PORT, like 9400, 127.0.0.1:9400 "
                    + "or 0.0.0.0:9400");
        }
        final int port = Integer.parseInt(m.group(2));
        if (port > 65_535) {
            throw new IllegalArgumentException("'" + spec + "': the port must be 0 to 65535");
        }
        String host = m.group(1) == null ? DEFAULT_HOST : m.group(1);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), port);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + spec + "': unknown address " + host);
        }
    }

    /**
     * Binds {@code address} (port 0 picks a free one) and serves {@code collector}'s metrics;
     * {@code /-/ready} answers ready whenever the endpoint is up.
     *
     * @throws IOException if the address cannot be bound
     */
    public static MetricsServer start(InetSocketAddress address, MultiCollector collector) throws IOException {
        return start(address, collector, () -> null);
    }

    /**
     * Binds {@code address} (port 0 picks a free one), serves {@code collector}'s metrics, and
     * answers {@code /-/ready} from {@code readiness}.
     *
     * @throws IOException if the address cannot be bound
     */
    public static MetricsServer start(InetSocketAddress address, MultiCollector collector, Readiness readiness)
            throws IOException {
        final PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(collector);
        registry.register(BuildInfo.INSTANCE);
        JvmMetrics.builder().register(registry);
        final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            final Thread t = new Thread(r, "stampede-metrics-http");
            t.setDaemon(true);
            return t;
        });
        try {
            final HTTPServer http = HTTPServer.builder()
                    .inetAddress(address.getAddress())
                    .port(address.getPort())
                    .registry(registry)
                    .executorService(executor)
                    .defaultHandler(new ReadyHandler(readiness, "/metrics"))
                    .buildAndStart();
            return new MetricsServer(http, new InetSocketAddress(address.getAddress(), http.getPort()));
        } catch (IOException | RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
    }

    /** The bound address, with the real port when 0 was asked. */
    public InetSocketAddress address() {
        return address;
    }

    /** The bound port. */
    public int port() {
        return address.getPort();
    }

    /** {@code http://HOST:PORT/metrics}. */
    public String url() {
        return base() + "/metrics";
    }

    /** {@code http://HOST:PORT/-/ready}. */
    public String readyUrl() {
        return base() + ReadyHandler.PATH;
    }

    private String base() {
        final InetAddress a = address.getAddress();
        final String host = a instanceof Inet6Address ? "[" + a.getHostAddress() + "]" : a.getHostAddress();
        return "http://" + host + ":" + address.getPort();
    }

    /** Stops serving, at once, and ends its thread. */
    @Override
    public void close() {
        http.close();
    }
}
