package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.stats.ServerStats;
import dev.stampede.journal.FileFormatException;
import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A server started on an existing file: the restart guarantees of docs/DESIGN.md, "The file's guarantees". */
@Timeout(60)
class ServerResumeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static String lines(long... values) {
        final StringBuilder b = new StringBuilder();
        for (long v : values) {
            b.append(v).append('\n');
        }
        return b.toString();
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void appendsAfterTheLastLineAndKnowsWhatTheFileHolds(int loops) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        final String before = lines(t - 100, t - 98, t - 96, t - 94, t - 92, t - 90);
        Files.writeString(dir.resolve("timestamps.txt"), before);
        try (ServerHarness server = ServerHarness.with().loops(loops).start(dir)) {
            try (LineClient c = server.connect()) {
                c.send(t - 96, t - 90); // replays of what the file holds: duplicates
                c.send(t - 93); // below the file's end, never written: late
                c.send(t - 80, t - 70);
            }
            final ServerStats stats = server.stop();
            assertThat(Files.readString(server.output)).isEqualTo(before + lines(t - 80, t - 70));
            assertThat(server.late()).containsExactly(t - 93);
            assertThat(stats.dups()).isEqualTo(2);
            assertThat(stats.late()).isEqualTo(1);
            assertThat(server.log).anyMatch(l -> l.contains("resuming") && l.contains("after " + (t - 90)));
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void aTornLastLineIsCutAndReportedOnce(int loops) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        Files.writeString(dir.resolve("timestamps.txt"), lines(t, t + 1) + "17951");
        try (ServerHarness server = ServerHarness.with().loops(loops).start(dir)) {
            try (LineClient c = server.connect()) {
                c.send(t + 2);
            }
            server.stop();
            assertThat(Files.readString(server.output)).isEqualTo(lines(t, t + 1, t + 2));
            assertThat(server.log.stream().filter(l -> l.contains("unfinished line"))).singleElement()
                    .asString().contains("cut 5 bytes");
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void aFileInAnotherFormatIsRefusedAndLeftAlone(int loops) throws Exception {
        final String csv = "time,value\n1,2\n";
        final Path file = Files.writeString(dir.resolve("timestamps.txt"), csv);
        assertThatThrownBy(() -> ServerHarness.with().loops(loops).start(dir)).isInstanceOf(FileFormatException.class)
                .hasMessageContaining("not a stampede output file");
        assertThat(Files.readString(file)).isEqualTo(csv);
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void theStartupGraceLetsReplaysLandInOrder(int loops) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        Files.writeString(dir.resolve("timestamps.txt"), lines(t));
        // After a restart, A reconnects first with newer values, then B replays older ones.
        try (ServerHarness server = ServerHarness.with().loops(loops).startupGraceMs(30_000).start(dir)) {
            try (LineClient a = server.connect()) {
                a.send(t + 20, t + 30);
            }
            Await.until("A's values received", WAIT, () -> server.stats().msgs() == 2);
            try (LineClient b = server.connect()) {
                b.send(t, t + 1, t + 10); // replay: what the file has, and what the crash lost
            }
            final ServerStats stats = server.stop();
            assertThat(stats.late()).isZero();
            assertThat(Files.readString(server.output)).isEqualTo(lines(t, t + 1, t + 10, t + 20, t + 30));
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void withoutTheGraceTheSameReplayWouldBeLate(int loops) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        Files.writeString(dir.resolve("timestamps.txt"), lines(t));
        try (ServerHarness server = ServerHarness.with().loops(loops).startupGraceMs(0).start(dir)) {
            try (LineClient a = server.connect()) {
                a.send(t + 20, t + 30);
            }
            Await.until("A's values written", WAIT, () -> server.written().size() == 3);
            try (LineClient b = server.connect()) {
                b.send(t + 1, t + 10);
            }
            Await.until("replays reported late", WAIT, () -> server.late().size() == 2);
        }
    }
}
