package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stampede.testing.Await;
import dev.stampede.testing.Scrape;
import dev.stampede.testing.StampedeProcess;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's stderr as operators read it: every line starts with an ISO-8601 UTC time and a
 * level, or is one JSON object with {@code --log-format json}; {@code /-/ready} answers 200 once
 * it listens.
 */
@Timeout(90)
class LogLinesIT {
    private static final Duration START = Duration.ofSeconds(30);
    private static final Pattern PREFIX =
            Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z (INFO|WARN|ERROR) \\S");
    private static final Pattern METRICS = Pattern.compile("metrics on (http://\\S+)/metrics");

    @TempDir
    Path dir;

    @Test
    void textLinesStartWithTheTimeAndTheLevelAndReadyAnswersOnceListening() throws Exception {
        final List<String> lines;
        try (StampedeProcess server = StampedeProcess.start("server", "--port", "0", "-o",
                dir.resolve("ts.txt").toString(), "--stats-interval", "200ms", "--metrics", "0")) {
            server.awaitPort(START);
            Await.until("a stats line", START, () -> server.lastLineWith("server: conns=") != null);
            final Matcher m = METRICS.matcher(server.lastLineWith("metrics on "));
            assertThat(m.find()).isTrue();
            final HttpResponse<String> ready = Scrape.get(m.group(1) + "/-/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).isEqualTo("ready\n");
            server.signal("TERM");
            assertThat(server.awaitExit(START)).isZero();
            lines = server.stderr();
        }
        assertThat(lines).isNotEmpty().allMatch(l -> PREFIX.matcher(l).lookingAt(), "starts with a time and a level");
        assertThat(lines).anyMatch(l -> l.contains(" INFO server: stopped "));
    }

    @Test
    void jsonLinesAreOneObjectEachWithTheStatsAsFields() throws Exception {
        final List<String> lines;
        try (StampedeProcess server = StampedeProcess.start("server", "--port", "0", "-o",
                dir.resolve("ts.txt").toString(), "--stats-interval", "200ms", "--log-format", "json")) {
            server.awaitPort(START);
            Await.until("a stats line", START, () -> server.lastLineWith("server: conns=") != null);
            server.signal("TERM");
            assertThat(server.awaitExit(START)).isZero();
            lines = server.stderr();
        }
        final ObjectMapper json = new ObjectMapper();
        boolean stats = false;
        for (String line : lines) {
            final JsonNode o = json.readTree(line);
            assertThat(o.isObject()).as(line).isTrue();
            assertThat(o.get("time").asText()).as(line).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
            assertThat(o.get("level").asText()).as(line).isIn("INFO", "WARN", "ERROR");
            assertThat(o.get("cmd").asText()).as(line).isEqualTo("server");
            if (o.get("msg").asText().startsWith("server: conns=")) {
                stats = true;
                assertThat(o.get("conns").isNumber()).as(line).isTrue();
                assertThat(o.get("rate_per_s").isNumber()).as(line).isTrue();
                assertThat(o.get("wm_lag_ms").isNumber()).as(line).isTrue();
            }
        }
        assertThat(stats).as("a stats line among " + lines).isTrue();
    }
}
