package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.Await;
import dev.stampede.testing.Ports;
import dev.stampede.testing.StampedeProcess;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A frozen server (SIGSTOP: its kernel still takes connections and buffers their bytes, so no
 * send fails) must not keep its clients: with acknowledgements the client notices the silence,
 * moves every connection to the other server within 15 s, and sends it every value the frozen one
 * had not acknowledged. Nothing recorded is lost: each value is in one of the servers' files or
 * late files.
 */
@Timeout(120)
class FrozenServerIT {
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(30);
    /** The bound docs/PROTOCOL.md and SPEC 12 promise for leaving a frozen host, and a margin for a loaded machine. */
    private static final Duration LEAVE_FROZEN = Duration.ofSeconds(15 + 5);
    private static final int CONNECTIONS = 40;

    @TempDir
    Path dir;

    @Test
    void aFrozenServerIsLeftAndNothingRecordedIsLost() throws Exception {
        final Path outA = dir.resolve("a.txt");
        final Path outB = dir.resolve("b.txt");
        final Path sent = dir.resolve("sent.txt");
        final int portA = Ports.free();
        final int portB = Ports.free();
        try (StampedeProcess a = server(portA, outA); StampedeProcess b = server(portB, outB)) {
            try (StampedeProcess client = StampedeProcess.start("client", "-c", String.valueOf(CONNECTIONS),
                    "--host", "127.0.0.1:" + portA + ",127.0.0.1:" + portB, "--record", sent.toString(),
                    "--stats-interval", "1s")) {
                Await.fileGrows(outA, 2_000, START);
                Await.fileGrows(outB, 2_000, START);
                a.signal("STOP");
                Await.until("every connection on server b", LEAVE_FROZEN,
                        () -> b.lastLineWith("conns=" + CONNECTIONS + " ") != null);
                Await.fileGrows(outB, 2_000, START);
                a.signal("CONT");
                client.signal("TERM");
                assertThat(client.awaitExit(STOP)).isZero();
                assertThat(client.lastLineWith("client: stopped")).doesNotContain("failovers=0 ");
            }
            a.signal("TERM");
            b.signal("TERM");
            assertThat(a.awaitExit(STOP)).isZero();
            assertThat(b.awaitExit(STOP)).isZero();
        }
        for (Path out : List.of(outA, outB)) {
            final VerifyResult r = new FileVerifier(false, null).verify(out, List.of());
            assertThat(r.violations()).as(r.render()).isZero();
        }
        final Set<Long> stored = new HashSet<>();
        for (Path f : List.of(outA, outB, late(outA), late(outB))) {
            if (Files.exists(f)) {
                try (Stream<String> lines = Files.lines(f)) {
                    lines.forEach(l -> stored.add(Long.parseLong(l)));
                }
            }
        }
        final List<String> recorded = Files.readAllLines(sent);
        assertThat(recorded.size()).as("values the client recorded").isGreaterThan(2_000);
        final long missing = recorded.stream().mapToLong(Long::parseLong).filter(v -> !stored.contains(v)).count();
        assertThat(missing).as("recorded values in neither server's files").isZero();
    }

    private static Path late(Path out) {
        return out.resolveSibling(out.getFileName() + ".late");
    }

    private static StampedeProcess server(int port, Path out) throws IOException {
        final StampedeProcess p = StampedeProcess.start("server", "--port", String.valueOf(port), "-o", out.toString(),
                "--stats-interval", "1s");
        p.awaitPort(START);
        return p;
    }
}
