package dev.stampede.faultbed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.stampede.testing.StampedeProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short fault-bed scenario of issue 18 in the normal test command: {@code scripts/fault-bed.sh}
 * for one round of every kind of fault with a fixed seed, each held 1-2 s with a second of calm after
 * each recovery (in the seed's order: a partitioned host, a frozen host, a server, the merge and a
 * partition's leader broker killed and restarted, a full disk, a flapping client link) on real hosts
 * (network namespaces), a three-broker cluster, three servers, a merge and two client hosts. Passes
 * only if the bed's checker does: no recorded value lost, nothing both written and late, every file
 * strictly ascending, no process died that the bed did not kill, RSS bounded, the global file fresh
 * again within its bound after each heal.
 *
 * <p>The bed needs root ({@code ip netns}, tmpfs): elsewhere the test is skipped, with the reason.
 */
class FaultBedIT {
    /** The seed of the short scenario: its first round holds every kind of fault. */
    static final String SEED = "18";
    private static final long DEADLINE_S = 540;

    @TempDir
    Path tmp;

    @Test
    @Timeout(600)
    void aMinuteOfFaultsLosesNothing() throws Exception {
        assumeTrue(netnsUsable(), "the fault bed needs root and 'ip netns' (network namespaces): not usable here");
        final Path out = tmp.resolve("fault-bed.out");
        final Process bed = new ProcessBuilder(StampedeProcess.root().resolve("scripts/fault-bed.sh").toString(),
                "--duration", "150s", "--rounds", "1", "--hold", "1-2", "--gap", "1", "--seed", SEED, "--dir", "/tmp/stampede-fault-bed-it",
                "--classpath", System.getProperty("java.class.path"))
                .redirectErrorStream(true)
                .redirectOutput(out.toFile())
                .start();
        final boolean done = bed.waitFor(DEADLINE_S, TimeUnit.SECONDS);
        if (!done) {
            bed.destroy(); // SIGTERM: the bed's trap tears everything down
            bed.waitFor(60, TimeUnit.SECONDS);
        }
        final String output = Files.readString(out, StandardCharsets.UTF_8);
        System.out.println(output);
        assertThat(done).as("the bed finishes within %d s:\n%s", DEADLINE_S, output).isTrue();
        assertThat(bed.exitValue()).as("the fault bed's checker:\n%s", output).isZero();
        assertThat(output).contains("losses: 0 ").contains("result: PASSED");
    }

    /** Root, iproute2, and a namespace can be made and removed. */
    static boolean netnsUsable() {
        try {
            if (!"0".equals(run("id", "-u").strip())) {
                return false;
            }
            final String probe = "sfbprobe" + ProcessHandle.current().pid();
            run("ip", "netns", "add", probe);
            run("ip", "netns", "del", probe);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String run(String... cmd) throws IOException {
        final Process p = new ProcessBuilder(List.of(cmd)).redirectErrorStream(true).start();
        try {
            final String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + text);
            }
            return text;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
