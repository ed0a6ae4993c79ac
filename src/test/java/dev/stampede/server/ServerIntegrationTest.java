package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.stats.ServerStats;
import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real server over real loopback sockets and a real file. */
@Timeout(60)
class ServerIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void mergesConnectionsIntoOneAscendingUniqueFile(int loops) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        try (ServerHarness server = ServerHarness.with().loops(loops).start(dir);
                LineClient a = server.connect();
                LineClient b = server.connect();
                LineClient c = server.connect()) {
            a.send(t, t + 3, t + 6, t + 9);
            b.send(t + 1, t + 3, t + 7);
            c.send(t + 2, t + 5, t + 8, t + 9);
            Await.until("three values final while all stay open", WAIT, () -> server.written().size() >= 3);
            assertThat(server.written()).startsWith(t, t + 1, t + 2);
            final ServerStats stats = server.stop();
            assertThat(server.written()).containsExactly(t, t + 1, t + 2, t + 3, t + 5, t + 6, t + 7, t + 8, t + 9);
            assertThat(stats.msgs()).isEqualTo(11);
            assertThat(stats.dups()).isEqualTo(2);
            assertThat(stats.written()).isEqualTo(9);
            assertThat(stats.late()).isZero();
        }
    }

    /** Aligned phases: every connection sends the same values, spread over both loops. */
    @Test
    void twoLoopsWriteEachValueOnceWhenEveryConnectionSendsTheSame() throws Exception {
        final long t = ServerHarness.aSecondAgo();
        final long[] values = new long[100];
        for (int i = 0; i < values.length; i++) {
            values[i] = t + i;
        }
        final List<LineClient> clients = new ArrayList<>();
        try (ServerHarness server = ServerHarness.with().loops(2).start(dir)) {
            try {
                for (int i = 0; i < 8; i++) {
                    clients.add(server.connect());
                }
                for (LineClient c : clients) {
                    c.send(values);
                }
                Await.until("every copy received", WAIT, () -> server.stats().msgs() == 800);
                Await.until("every value written while all stay open", WAIT, () -> server.written().size() == 99);
            } finally {
                for (LineClient c : clients) {
                    c.close();
                }
            }
            final ServerStats stats = server.stop();
            assertThat(server.written()).containsExactly(java.util.Arrays.stream(values).boxed().toArray(Long[]::new));
            assertThat(stats.written()).isEqualTo(100);
            assertThat(stats.dups()).isEqualTo(700);
            assertThat(stats.late()).isZero();
            assertThat(stats.pending()).isZero();
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void writesContinuouslyWhileConnectionsStayOpen(int loops) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        try (ServerHarness server = ServerHarness.with().loops(loops).start(dir);
                LineClient a = server.connect();
                LineClient b = server.connect()) {
            for (int i = 0; i < 20; i++) {
                a.send(t + i * 10);
                b.send(t + i * 10 + 5);
            }
            // b's latest is t+195: everything below is final without any connection closing.
            Await.until("values up to t+190 written", WAIT, () -> server.written().contains(t + 190));
            assertThat(server.written()).isSorted().doesNotHaveDuplicates();
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void finalLineWithoutNewlineAtOrderlyEndIsKept(int loops) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        try (ServerHarness server = ServerHarness.with().loops(loops).start(dir);
                LineClient a = server.connect()) {
            a.sendRaw(t + "\n" + (t + 1));
            a.shutdownOutput();
            Await.until("both values written", WAIT, () -> server.written().size() == 2);
            assertThat(server.written()).containsExactly(t, t + 1);
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void lateValuesGoToTheLateFileAndRepeatsOfWrittenOnesAreDuplicates(int loops) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        try (ServerHarness server = ServerHarness.with().loops(loops).start(dir)) {
            try (LineClient a = server.connect()) {
                a.send(t, t + 10, t + 20);
            }
            Await.until("first values written", WAIT, () -> server.written().size() == 3);
            try (LineClient b = server.connect()) {
                b.send(t - 50, t + 10, t + 5, t + 30);
            }
            Await.until("late value in the late file", WAIT, () -> server.late().size() == 2);
            final ServerStats stats = server.stop();
            assertThat(server.late()).containsExactly(t - 50, t + 5); // arrival order
            assertThat(server.written()).containsExactly(t, t + 10, t + 20, t + 30);
            assertThat(stats.late()).isEqualTo(2);
            assertThat(stats.dups()).isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void keepDuplicatesWritesEveryCopy(int loops) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        try (ServerHarness server = ServerHarness.with().loops(loops).keepDuplicates().start(dir);
                LineClient a = server.connect();
                LineClient b = server.connect()) {
            a.send(t, t + 1);
            b.send(t, t + 1);
            Await.until("all four values received", WAIT, () -> server.stats().msgs() == 4);
            server.stop();
            assertThat(server.written()).containsExactly(t, t, t + 1, t + 1);
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void stopWritesEverythingPendingInOrder(int loops) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        try (ServerHarness server = ServerHarness.with().loops(loops).idleTimeoutMs(60_000).maxDelayMs(60_000).start(dir);
                LineClient silent = server.connect();
                LineClient a = server.connect()) {
            a.send(t + 2, t + 1, t + 3); // out of order within one connection: still pending, still sorted
            // One snapshot, taken after the engine advanced past the three values: all pending, none
            // released (without the silent connection two of them would be final by now).
            Await.until("values received", WAIT, server::stats, s -> s.msgs() == 3);
            final ServerStats running = server.stats();
            assertThat(running.msgs()).isEqualTo(3);
            assertThat(running.pending()).as("the silent connection holds the watermark").isEqualTo(3);
            assertThat(running.written()).isZero();
            final ServerStats stats = server.stop();
            assertThat(server.written()).containsExactly(t + 1, t + 2, t + 3);
            assertThat(stats.pending()).isZero();
        }
    }

    @ParameterizedTest(name = "loops={0} fixed={1}")
    @CsvSource({"1,false", "2,false", "1,true", "2,true"})
    void readBatchModeDeliversTheSame(int loops, boolean fixed) throws Exception {
        final long t = ServerHarness.aSecondAgo();
        final ServerHarness.Builder with = ServerHarness.with().loops(loops);
        try (ServerHarness server = (fixed ? with.fixedReadBatchMs(100) : with.readBatchMs(5)).start(dir);
                LineClient a = server.connect();
                LineClient b = server.connect()) {
            for (int i = 0; i < 50; i++) {
                a.send(t + 2 * i);
                b.send(t + 2 * i + 1);
            }
            Await.until("99 values final", WAIT, () -> server.written().size() >= 99);
            server.stop();
            assertThat(server.written()).hasSize(100).isSorted().doesNotHaveDuplicates();
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void holdsAThousandConcurrentConnections(int loops) throws Exception {
        final int n = 1_000;
        final int perConnection = 20;
        final long t = System.currentTimeMillis() - 2_000; // in the past: a stop writes nothing from the future
        final TreeSet<Long> expected = new TreeSet<>();
        try (ServerHarness server = ServerHarness.with().loops(loops).start(dir)) {
            final List<LineClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) {
                    clients.add(server.connect());
                }
                Await.until("all connected", WAIT, () -> server.stats().connectionsOpen() == n);
                for (int k = 0; k < perConnection; k++) {
                    for (int i = 0; i < n; i++) {
                        final long v = t + k * 50L + (i % 50);
                        clients.get(i).send(v);
                        expected.add(v);
                    }
                }
                Await.until("every value received", WAIT, () -> server.stats().msgs() == (long) n * perConnection);
            } finally {
                for (LineClient c : clients) {
                    c.close();
                }
            }
            final ServerStats stats = server.stop();
            assertThat(stats.connectionsTotal()).isEqualTo(n);
            assertThat(stats.late()).isZero();
            assertThat(server.written()).containsExactlyElementsOf(expected);
            assertThat(stats.dups()).isEqualTo((long) n * perConnection - expected.size());
        }
    }

    @ParameterizedTest(name = "loops={0}")
    @ValueSource(ints = {1, 2})
    void stopsCleanlyWithIdleConnectionsOpen(int loops) throws IOException {
        try (ServerHarness server = ServerHarness.with().loops(loops).start(dir);
                LineClient a = server.connect()) {
            Await.until("connected", WAIT, () -> server.stats().connectionsOpen() == 1);
            final ServerStats stats = server.stop();
            assertThat(stats.connectionsOpen()).isZero();
            assertThat(a.awaitClosedByServer()).isTrue();
        }
    }
}
