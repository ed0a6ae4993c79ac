package dev.stampede.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Log lines start with an ISO-8601 UTC time and a level; {@code --log-format json} is one object a line. */
class LogFormatTest {
    private static final long AT = Instant.parse("2026-12-04T14:15:49.123Z").toEpochMilli();

    @Test
    void textStartsWithTheTimeInMillisecondsAndTheLevel() {
        assertThat(LogFormat.TEXT.format(AT, LogLevel.INFO, "server: listening on 127.0.0.1:5050"))
                .isEqualTo("2026-12-04T14:15:49.123Z INFO server: listening on 127.0.0.1:5050");
        assertThat(LogFormat.TEXT.format(Instant.parse("2026-01-02T03:04:05Z").toEpochMilli(), LogLevel.WARN, "x"))
                .as("milliseconds even when zero").isEqualTo("2026-01-02T03:04:05.000Z WARN x");
    }

    @Test
    void jsonIsOneObjectWithTheKeyValueFieldsAsFields() throws Exception {
        final String line = LogFormat.JSON.format(AT, LogLevel.INFO,
                "server: conns=50 rate_per_s=1000 msgs=9960 wm_lag_ms=-1 fsync=interval) say \"hi\"\\ name=a=b");
        assertThat(line).doesNotContain("\n");
        final JsonNode o = new ObjectMapper().readTree(line);
        assertThat(o.get("time").asText()).isEqualTo("2026-12-04T14:15:49.123Z");
        assertThat(o.get("level").asText()).isEqualTo("INFO");
        assertThat(o.get("msg").asText()).startsWith("server: conns=50 ").endsWith("say \"hi\"\\ name=a=b");
        assertThat(o.get("cmd").asText()).isEqualTo("server");
        assertThat(o.get("conns").isNumber()).isTrue();
        assertThat(o.get("conns").asLong()).isEqualTo(50);
        assertThat(o.get("rate_per_s").asLong()).isEqualTo(1000);
        assertThat(o.get("wm_lag_ms").asLong()).isEqualTo(-1);
        assertThat(o.get("fsync").asText()).isEqualTo("interval");
        assertThat(o.get("name").asText()).isEqualTo("a=b");
    }

    @Test
    void aKeyValueCannotOverwriteTheObjectsOwnFields() throws Exception {
        final JsonNode o = new ObjectMapper().readTree(
                LogFormat.JSON.format(AT, LogLevel.ERROR, "merge: level=INFO msg=x time=0 late=1 late=2"));
        assertThat(o.get("level").asText()).isEqualTo("ERROR");
        assertThat(o.get("msg").asText()).isEqualTo("merge: level=INFO msg=x time=0 late=1 late=2");
        assertThat(o.get("time").asText()).isEqualTo("2026-12-04T14:15:49.123Z");
        assertThat(o.get("late").asLong()).as("the first of a repeated key").isEqualTo(1);
    }

    @Test
    void theLevelIsReadFromTheLinesWords() {
        assertThat(LogLevel.of("server: listening on 127.0.0.1:5050, writing /x")).isEqualTo(LogLevel.INFO);
        assertThat(LogLevel.of("server: conns=1 rate_per_s=0 msgs=0")).isEqualTo(LogLevel.INFO);
        assertThat(LogLevel.of("server: stopped conns_total=1 msgs=0 replies_dropped=0 tls_failures=0"))
                .as("the words count, not the keys").isEqualTo(LogLevel.INFO);
        assertThat(LogLevel.of("server: writing again after 300 ms; reading resumed")).isEqualTo(LogLevel.INFO);
        assertThat(LogLevel.of("server: conns=1 rate_per_s=0 writes=failing reading=paused")).isEqualTo(LogLevel.WARN);
        assertThat(LogLevel.of("client: warning: the open-files limit is 1024, too low for 5000 connections; "
                + "raise it (ulimit -n), or the connections past it will keep failing")).isEqualTo(LogLevel.WARN);
        assertThat(LogLevel.of("log: 3 lines dropped (stderr was not being read)")).isEqualTo(LogLevel.WARN);
        assertThat(LogLevel.of("merge: kafka: broker down; retrying (the global file waits)")).isEqualTo(LogLevel.WARN);
        assertThat(LogLevel.of("server: cannot write /x: No space left on device; reading paused"))
                .isEqualTo(LogLevel.ERROR);
        assertThat(LogLevel.of("server: event loop failed: boom; stopping")).isEqualTo(LogLevel.ERROR);
    }

    @Test
    void theAsyncLogWritesJsonAndTakesAGivenLevel() throws Exception {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (AsyncLog log = new AsyncLog(new PrintStream(bytes, true, StandardCharsets.UTF_8), 16, LogFormat.JSON)) {
            log.accept("server: conns=2 msgs=7");
            AsyncLog.error(log, "server: --port must be 0 to 65535, not -1");
            assertThat(log.awaitDrained(10_000)).isTrue();
        }
        final String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(2);
        final ObjectMapper json = new ObjectMapper();
        assertThat(json.readTree(lines[0]).get("msgs").asLong()).isEqualTo(7);
        assertThat(json.readTree(lines[0]).get("level").asText()).isEqualTo("INFO");
        assertThat(json.readTree(lines[1]).get("level").asText()).isEqualTo("ERROR");
    }
}
