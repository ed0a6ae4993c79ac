package dev.stampede.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A real scrape over HTTP ({@link HttpClient}) of a Prometheus text-format endpoint, parsed into
 * series (name with its labels, as written: {@code stampede_rejected_total{reason="sign"}}) and
 * values.
 */
public final class Scrape {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Map<String, Double> series;
    public final String text;

    private Scrape(String text) {
        this.text = text;
        this.series = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            final int sp = line.lastIndexOf(' ');
            series.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
    }

    /** GETs {@code url} (must answer 200) and parses it. */
    public static Scrape of(String url) throws IOException, InterruptedException {
        final HttpResponse<String> r = get(url);
        if (r.statusCode() != 200) {
            throw new IOException(url + ": HTTP " + r.statusCode());
        }
        return new Scrape(r.body());
    }

    /** A plain GET. */
    public static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one series; fails if absent. */
    public double value(String name) {
        final Double v = series.get(name);
        if (v == null) {
            throw new AssertionError("no series " + name + " in\n" + text);
        }
        return v;
    }

    /** The value of a series that must be a whole number. */
    public long count(String name) {
        final double v = value(name);
        if (v != Math.rint(v)) {
            throw new AssertionError(name + " is not a whole number: " + v);
        }
        return (long) v;
    }

    /** Whether the series is there. */
    public boolean has(String name) {
        return series.containsKey(name);
    }

    /** Every series and its value. */
    public Map<String, Double> series() {
        return series;
    }

    /** The {@code key=value} pairs of a summary line, e.g. {@code server: stopped msgs=3 ...}. */
    public static Map<String, Long> pairs(String summaryLine) {
        final Map<String, Long> m = new LinkedHashMap<>();
        for (String word : summaryLine.split(" ")) {
            final int eq = word.indexOf('=');
            if (eq > 0 && word.substring(eq + 1).matches("-?\\d+")) {
                m.put(word.substring(0, eq), Long.parseLong(word.substring(eq + 1)));
            }
        }
        return m;
    }
}
