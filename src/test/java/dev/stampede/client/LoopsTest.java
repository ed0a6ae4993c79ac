package dev.stampede.client;

import static dev.stampede.client.TestServers.await;
import static dev.stampede.client.TestServers.awaitMoreSent;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.server.IngestServer;
import dev.stampede.stats.ClientStats;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Several client loops: the split of the connections, the shared start, stats and files, the stop. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopsTest {
    private static final long MS = 1_000_000L;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "n={0} loops={1}")
    @CsvSource({"1,1", "2,2", "3,2", "7,3", "50,2", "50,4", "50,50", "5000,2", "5001,7"})
    void everyConnectionIsOnExactlyOneLoopWithThePhaseItHasWithOne(int n, int loops) {
        final long interval = 50 * MS;
        final long start = 987_654_321L;
        final Schedule one = new Schedule(start, interval, n, Phase.SPREAD, Long.MAX_VALUE);
        final int[] owner = new int[n];
        Arrays.fill(owner, -1);
        int total = 0;
        for (int j = 0; j < loops; j++) {
            final Schedule s = new Schedule(start, interval, n, j, loops, Phase.SPREAD, Long.MAX_VALUE);
            assertThat(s.connections()).as("an even split").isBetween(n / loops, (n + loops - 1) / loops);
            total += s.connections();
            long previous = Long.MIN_VALUE;
            // Two rounds of the loop's own round robin: its connections, in due-time order.
            for (int send = 0; send < 2 * s.connections(); send++) {
                final int m = s.connection();
                final int i = s.globalIndex(m);
                assertThat(i % loops).as("connection i on loop i mod L").isEqualTo(j);
                if (send < s.connections()) {
                    assertThat(owner[i]).as("connection %d on one loop only", i).isEqualTo(-1);
                    owner[i] = j;
                }
                assertThat(s.due()).as("connection %d due as with one loop", i).isEqualTo(one.dueOf(send / s.connections(), i));
                assertThat(s.due()).isGreaterThanOrEqualTo(previous);
                previous = s.due();
                s.advance();
            }
        }
        assertThat(total).isEqualTo(n);
        assertThat(owner).doesNotContain(-1);
    }

    @ParameterizedTest(name = "{0} x every {1} ms on {2} cores: {3} loops")
    @CsvSource({
        "50, 50, 2, 1", // 1,000 sends/s
        "2500, 50, 2, 1", // 50,000: exactly one loop's share
        "2501, 50, 2, 2",
        "5000, 50, 2, 2", // 100,000
        "5000, 50, 1, 1", // never more loops than cores
        "20000, 50, 8, 8",
        "20000, 50, 16, 8", // 400,000: no more than the rate asks for
        "3, 1, 64, 1", // 3,000 sends/s
        "19000, 1000, 2, 1", // 19,000 x 1/s
        "4, 1, 0, 1", // a machine that says it has no core still gets one loop
    })
    void autoLoopsAreOnePer50000SendsASecondAtMostOnePerCore(int connections, long intervalMs, int cores, int loops) {
        final ClientConfig config = ClientConfig.builder().server(new InetSocketAddress(InetAddress.getLoopbackAddress(), 5050))
                .connections(connections).intervalMs(intervalMs).build();
        assertThat(LoadClient.autoLoops(config, cores)).isEqualTo(loops);
    }

    @Test
    void aLoopWithoutAConnectionIsRefused() {
        assertThatThrownBy(() -> new Schedule(0, MS, 3, 3, 4, Phase.SPREAD, Long.MAX_VALUE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoadClient.checkLoops(0, 5)).hasMessageContaining("--loops must be 1 to");
        assertThatThrownBy(() -> LoadClient.checkLoops(6, 5))
                .hasMessage("--loops must be 1 to the number of connections (5), not 6");
    }

    @Test
    void theScheduleStartsWhenTheLastLoopHasConnectedAndTheLogSaysSoOnce() {
        final List<String> log = new ArrayList<>();
        final ClientLoops group = new ClientLoops(3, 10, 0, 0, 1_000 * MS, true, 1_000_000, null, null, log::add);
        group.arrive(1, 5 * MS, 3, 5, "");
        group.arrive(1, 6 * MS, 3, 6, ""); // a second arrival counts for nothing
        group.arrive(0, 7 * MS, 4, 7, " (after 400 ms of JIT warm-up)");
        assertThat(group.scheduleStartNs()).isEqualTo(ClientLoops.NOT_YET);
        assertThat(log).isEmpty();
        group.arrive(2, 9 * MS, 2, 9, "");
        assertThat(group.scheduleStartNs()).as("the last arrival's instant").isEqualTo(9 * MS);
        assertThat(log).containsExactly(
                "client: 9 of 10 connected in 9 ms (after 400 ms of JIT warm-up); the others keep retrying");
    }

    @Test
    void aLoopThatEndsBeforeConnectingDoesNotHoldTheOthers() {
        final List<String> log = new ArrayList<>();
        final ClientLoops group = new ClientLoops(2, 4, 0, 0, 1_000 * MS, true, 1_000_000, null, null, log::add);
        group.arrive(0, 5 * MS, 2, 5, "");
        group.arrive(1, 6 * MS, 0, 6, null); // failed or stopped
        assertThat(group.scheduleStartNs()).isEqualTo(6 * MS);
        assertThat(log).as("no 'connected' line for a start that is a stop").isEmpty();
    }

    @Test
    void theGroupMergesTheLoopsWindowsIntoOneLineAndTheTotal() {
        final List<String> log = new ArrayList<>();
        final ClientLoops group = new ClientLoops(2, 4, 0, 0, 1_000 * MS, true, 1_000_000, null, null, log::add);
        final Histogram a = new Histogram(1_000_000, 2);
        final Histogram b = new Histogram(1_000_000, 2);
        a.recordValue(100);
        a.recordValue(100);
        b.recordValue(5_000);
        group.contribute(0, a, counters(2, 10), 1_000 * MS);
        assertThat(log).as("a round needs every running loop").isEmpty();
        group.contribute(1, b, counters(2, 7), 1_000 * MS);
        assertThat(log).hasSize(1);
        assertThat(log.get(0)).contains("up=4 target=4", "sent=17");
        final ClientStats s = group.published(new ClientStats[] {counters(2, 10), counters(2, 7)});
        assertThat(s.window().count()).isEqualTo(3);
        assertThat(s.window().maxUs()).isBetween(4_950L, 5_050L);
        assertThat(s.total().count()).isEqualTo(3);
        group.leave(0, a, counters(2, 11), 2_000 * MS);
        group.leave(1, new Histogram(1_000_000, 2), counters(2, 8), 2_000 * MS);
        assertThat(group.closed()).isTrue();
        final ClientStats last = group.published(new ClientStats[] {counters(2, 11), counters(2, 8)});
        assertThat(last.total().count()).as("the last windows count too").isEqualTo(5);
        assertThat(last.sent()).isEqualTo(19);
        assertThat(log).as("no status line at the end: the summary follows").hasSize(1);
    }

    @Test
    void threeLoopsShareOneRecordFileOneLogAndOneLineAndAllStop() throws Exception {
        final Path output = dir.resolve("out.txt");
        final Path record = dir.resolve("sent.txt");
        final Path hlog = dir.resolve("lateness.hlog");
        final List<String> log = new CopyOnWriteArrayList<>();
        final IngestServer server = TestServers.server(0, output, line -> { });
        final ClientStats stats;
        try {
            final ClientConfig config = ClientConfig.builder()
                    .server(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.port()))
                    .connections(10).intervalMs(50).phase(Phase.SPREAD).replayMs(10_000).record(record)
                    .statsIntervalMs(200).histogramLog(hlog).build();
            final LoadClient client = LoadClient.start(config, 3, log::add);
            await("all connected", WAIT, () -> client.stats().connected() == 10);
            awaitMoreSent(client, 400, WAIT);
            await("a status line", WAIT, () -> log.stream().anyMatch(l -> l.startsWith("client: up=")));
            stats = client.stop();
            assertThat(client.isRunning()).isFalse();
            assertThat(client.failed()).isFalse();
        } finally {
            server.stop();
        }
        assertThat(log.stream().filter(l -> l.contains(" connected in "))).as("one start line for all loops")
                .hasSize(1).allMatch(l -> l.startsWith("client: 10 of 10 connected in "));
        final List<String> lines = log.stream().filter(l -> l.startsWith("client: up=")).toList();
        assertThat(lines).as("one line per stats interval, not one per loop").allMatch(l -> l.contains(" target=10 "));
        assertThat(lines.size()).isLessThanOrEqualTo((int) (stats.uptimeMs() / 200) + 2);
        assertThat(stats.target()).isEqualTo(10);
        assertThat(stats.sent()).isGreaterThanOrEqualTo(400);
        assertThat(stats.total().count()).as("merged lateness: every send's (and the few taken at the stop)")
                .isBetween(stats.sent(), stats.sent() + 10L * ClientConfig.BACKLOG_VALUES);
        assertThat(Files.readAllLines(record)).as("every first send recorded once, by all loops together")
                .hasSize((int) stats.sent());
        final VerifyResult result = new FileVerifier(false, null).verify(output, List.of(record));
        assertThat(result.ok()).as(result.render()).isTrue();
        assertThat(result.expected()).isEqualTo(stats.sent());
        long logged = 0;
        final HistogramLogReader reader = new HistogramLogReader(hlog.toFile());
        for (var h = reader.nextIntervalHistogram(); h != null; h = reader.nextIntervalHistogram()) {
            logged += ((Histogram) h).getTotalCount();
        }
        reader.close();
        assertThat(logged).as("one histogram log with every loop's sends").isEqualTo(stats.total().count());
    }

    private static ClientStats counters(int connected, long sent) {
        return new ClientStats(1_000, 900, 5, connected, 2, sent, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                ClientStats.Lateness.NONE, ClientStats.Lateness.NONE);
    }
}
