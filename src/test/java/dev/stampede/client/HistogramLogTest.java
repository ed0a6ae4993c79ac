package dev.stampede.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stampede.cli.Main;
import dev.stampede.server.IngestServer;
import dev.stampede.stats.ClientStats;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code client --histogram-log}: an HdrHistogram interval log of the send lateness, readable by its own reader. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HistogramLogTest {
    @TempDir
    Path dir;

    private static List<Histogram> read(Path file) throws Exception {
        final List<Histogram> out = new ArrayList<>();
        final HistogramLogReader reader = new HistogramLogReader(file.toFile());
        try {
            for (EncodableHistogram h = reader.nextIntervalHistogram(); h != null; h = reader.nextIntervalHistogram()) {
                out.add((Histogram) h);
            }
        } finally {
            reader.close();
        }
        return out;
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void aRunWritesOneIntervalPerStatsIntervalWithEverySendItsLatenessCounted(int loops) throws Exception {
        final Path hlog = dir.resolve("lateness.hlog");
        final List<String> log = new CopyOnWriteArrayList<>();
        final IngestServer server = TestServers.server(0, dir.resolve("out.txt"), line -> { });
        final ClientStats stats;
        try {
            // No periodic line (stats 0): still one interval a second.
            final ClientConfig config = TestServers.client(server.port(), 5, 3_200, Phase.SPREAD, null)
                    .toBuilder().histogramLog(hlog).build();
            try (LoadClient client = LoadClient.start(config, loops, log::add)) {
                assertThat(client.awaitTermination(30_000)).isTrue();
                stats = client.stop();
            }
        } finally {
            server.stop();
        }
        assertThat(log).noneMatch(l -> l.contains("histogram log"));
        final String text = Files.readString(hlog);
        assertThat(text).contains("#[StartTime: ", "#[BaseTime: ", "microseconds", "\"StartTimestamp\"");

        final List<Histogram> intervals = read(hlog);
        assertThat(intervals).hasSizeGreaterThanOrEqualTo(3);
        long total = 0;
        long max = 0;
        for (Histogram h : intervals) {
            total += h.getTotalCount();
            max = Math.max(max, h.getMaxValue());
            assertThat(h.getEndTimeStamp()).isGreaterThanOrEqualTo(h.getStartTimeStamp());
        }
        assertThat(total).as("every lateness recorded is in the log").isEqualTo(stats.total().count());
        assertThat(stats.sent()).isPositive();
        assertThat(total).as("about the sends: values taken but not written at the stop count as missed")
                .isBetween(stats.sent(), stats.sent() + 5L * ClientConfig.BACKLOG_VALUES);
        // Microseconds: a loopback client sends within a few ms of its schedule, and never beyond the range.
        assertThat(max).isGreaterThan(0).isLessThanOrEqualTo(2_000_000);
        final Histogram all = new Histogram(2_000_000, 2);
        intervals.forEach(all::add);
        assertThat(all.getValueAtPercentile(50)).as("median lateness in us").isLessThan(50_000);
        // The intervals follow each other, a second apart (the log keeps seconds to 3 decimals: 1 ms rounding).
        for (int i = 1; i < intervals.size(); i++) {
            assertThat(intervals.get(i).getStartTimeStamp())
                    .isCloseTo(intervals.get(i - 1).getEndTimeStamp(), within(1L));
        }
        final long fullOnes = intervals.stream().limit(intervals.size() - 1)
                .filter(h -> h.getEndTimeStamp() - h.getStartTimeStamp() >= 900).count();
        assertThat(fullOnes).isGreaterThanOrEqualTo(intervals.size() - 2L);
    }

    @Test
    void theCommandWritesItAndAnUnwritablePathFailsAtStartWithExitOne() throws Exception {
        final StringWriter err = new StringWriter();
        final var cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        final IngestServer server = TestServers.server(0, dir.resolve("out.txt"), line -> { });
        final Path hlog = dir.resolve("c.hlog");
        try {
            assertThat(cl.execute("client", "-p", String.valueOf(server.port()), "-c", "2", "--duration", "1500ms",
                    "--stats-interval", "500ms", "-q", "--histogram-log", hlog.toString())).isZero();
        } finally {
            server.stop();
        }
        assertThat(read(hlog)).hasSizeGreaterThanOrEqualTo(2);
        assertThat(Main.commandLine().execute("client", "-c", "1", "--duration", "1s",
                "--histogram-log", dir.resolve("no/such/dir/x.hlog").toString())).isEqualTo(1);
    }

    @Test
    void aWriteErrorStopsTheLogWithOneMessageAndOfferNeverThrowsNorBlocks() throws Exception {
        final List<String> log = new CopyOnWriteArrayList<>();
        final int[] budget = {4_096}; // the header fits; the disk fills during the run
        final OutputStream filling = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (budget[0] < len) {
                    throw new IOException("No space left on device");
                }
                budget[0] -= len;
            }
        };
        final HistogramLog hlog = HistogramLog.open(dir.resolve("x.hlog"), filling, log::add, 0, 1_000_000, 2);
        final Histogram window = new Histogram(1_000_000, 2);
        for (int i = 0; i < 2_000; i++) {
            window.recordValue(i * 37 % 999_999);
        }
        for (int i = 0; i < 200; i++) {
            hlog.offer(window, i * 1_000L, (i + 1) * 1_000L);
            Thread.sleep(2);
        }
        hlog.close();
        assertThat(hlog.stopped()).isTrue();
        assertThat(log).hasSize(1);
        assertThat(log.get(0)).startsWith("client: histogram log stopped: " + dir.resolve("x.hlog")
                + ": cannot write it: No space left on device").endsWith("(the sends go on)");
    }

    @Test
    void aFailingDiskFailsTheStartCleanly() {
        final Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "needs /dev/full (Linux)");
        final ClientConfig config = TestServers.client(1, 1, 1_000, Phase.SPREAD, null).toBuilder().histogramLog(full).build();
        assertThatThrownBy(() -> LoadClient.start(config, line -> { }).close())
                .isInstanceOf(IOException.class)
                .hasMessageStartingWith("--histogram-log /dev/full: cannot write it");
    }
}
