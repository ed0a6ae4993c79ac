package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./stampede verify FILE...}: its exit status (0 all holds, 1 a violation, 2 unreadable or a usage error). */
class VerifyCommandTest {
    private static final long T = 1_750_000_000_000L;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        final var cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    private String file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content).toString();
    }

    @Test
    void oneFileOk() throws IOException {
        assertThat(run("verify", file("t.txt", T + "\n" + (T + 1) + "\n"))).isZero();
        assertThat(out.toString()).contains("lines     2", "verify: OK");
    }

    @Test
    void severalFilesOkAreZeroWithTheirCountsAndTheTotals() throws IOException {
        final String a = file("t.txt.1", T + "\n");
        final String b = file("t.txt", (T + 1) + "\n" + (T + 2) + "\n");
        final String sent = file("sent.txt", T + "\n" + (T + 2) + "\n");
        assertThat(run("verify", a, b, "--expect", sent)).as(out + "" + err).isZero();
        assertThat(out.toString()).contains("verify: 2 files", a + ": 1 lines", b + ": 2 lines", "lines     3",
                "2 of 2 expected timestamps present", "verify: OK");
    }

    @Test
    void aViolationAcrossFilesIsOne() throws IOException {
        final String a = file("a.txt", (T + 5) + "\n");
        final String b = file("b.txt", (T + 5) + "\n");
        assertThat(run("verify", a, b)).isEqualTo(1);
        assertThat(out.toString()).contains("violation " + b + " line 1: ", "verify: FAILED");
        assertThat(run("verify", a, b, "--keep-duplicates")).isZero();
    }

    @Test
    void aMissingExpectedValueIsOne() throws IOException {
        final String a = file("a.txt", T + "\n");
        final String b = file("b.txt", (T + 2) + "\n");
        assertThat(run("verify", a, b, "--expect", file("sent.txt", (T + 1) + "\n"))).isEqualTo(1);
        assertThat(out.toString()).contains("missing   1, the first is " + (T + 1));
    }

    @Test
    void anUnreadableFileIsTwo() throws IOException {
        final String a = file("a.txt", T + "\n");
        assertThat(run("verify", a, dir.resolve("nope.txt").toString())).isEqualTo(2);
        assertThat(err.toString()).contains("nope.txt: no such file");
    }

    @Test
    void noFileIsAUsageError() {
        assertThat(run("verify")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required parameter");
    }
}
