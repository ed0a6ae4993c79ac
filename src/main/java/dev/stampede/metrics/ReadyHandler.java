package dev.stampede.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.exporter.httpserver.DefaultHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The exporter's default handler ({@code /}, and every path without a handler of its own) with
 * {@code /-/ready} in front of it: 200 {@code ready}, or 503 with the reason, from a
 * {@link Readiness}. (The exporter serves {@code /metrics} and {@code /-/healthy} itself, and
 * takes no other handler than this default one.)
 */
final class ReadyHandler implements HttpHandler {
    static final String PATH = "/-/ready";

    private final Readiness readiness;
    private final HttpHandler fallback;

    ReadyHandler(Readiness readiness, String metricsPath) {
        this.readiness = readiness;
        this.fallback = new DefaultHandler(metricsPath);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!PATH.equals(exchange.getRequestURI().getPath())) {
            fallback.handle(exchange);
            return;
        }
        try (exchange) {
            String why;
            try {
                why = readiness.notReadyBecause();
            } catch (RuntimeException e) {
                why = "readiness check failed: " + e;
            }
            final byte[] body = ((why == null ? "ready" : "not ready: " + why) + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
            final boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(why == null ? 200 : 503, head ? -1 : body.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }
}
