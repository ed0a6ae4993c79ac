package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.StampedeProcess;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./stampede demo}, the README's first command, as a user runs it. */
@Timeout(90)
class DemoProcessIT {
    @TempDir
    Path dir;

    @Test
    void runsBothSidesStopsCleanlyAndLeavesAVerifiedFile() throws Exception {
        final long sent;
        try (StampedeProcess demo = StampedeProcess.start("demo", "-c", "20", "--duration", "2s", "--dir",
                dir.toString())) {
            assertThat(demo.awaitExit(Duration.ofSeconds(60))).as(String.join("\n", demo.stderr())).isZero();
            assertThat(demo.lastLineWith("server: conns=20 ")).isNotNull(); // live stats of both sides
            assertThat(demo.lastLineWith("client: up=20 target=20 ")).isNotNull();
            final String summary = demo.lastLineWith("client: stopped");
            sent = value(summary, "sent");
            assertThat(sent + value(summary, "missed")).as("every tick of 20 x 2 s accounted for").isEqualTo(800);
        }
        final VerifyResult r = new FileVerifier(false, null).verify(dir.resolve("timestamps.txt"),
                List.of(dir.resolve("sent.txt")));
        assertThat(r.ok()).as(r.render()).isTrue();
        assertThat(r.expected()).isEqualTo(sent);
    }

    private static long value(String line, String key) {
        final Matcher m = Pattern.compile(" " + key + "=(\\d+)").matcher(line);
        assertThat(m.find()).as(key + " in " + line).isTrue();
        return Long.parseLong(m.group(1));
    }
}
