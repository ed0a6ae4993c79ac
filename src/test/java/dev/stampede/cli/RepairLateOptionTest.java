package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code --repair-late} needs {@code --rotate}: without it, server and merge refuse to start (exit 2). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class RepairLateOptionTest {
    private final StringWriter err = new StringWriter();

    /** Runs {@code args}; what it says on stderr (the commands' usage errors go to System.err) in {@link #err}. */
    private int run(String... args) {
        final CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream saved = System.err;
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            return cl.execute(args);
        } finally {
            System.setErr(saved);
            err.append(bytes.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void withoutRotateIsAUsageError() {
        assertThat(run("server", "--port", "0", "--repair-late")).isEqualTo(2);
        assertThat(err.toString()).contains("--repair-late needs --rotate");
        err.getBuffer().setLength(0);
        assertThat(run("merge", "--kafka", "127.0.0.1:1", "--topic", "t", "--repair-late")).isEqualTo(2);
        assertThat(err.toString()).contains("--repair-late needs --rotate");
    }

    @Test
    void withRotateItIsTheRotationsToo() {
        final CommandLine cl = Main.commandLine();
        cl.parseArgs("server", "--rotate", "2s", "--repair-late");
        final ServerCommand c = cl.getSubcommands().get("server").getCommand();
        assertThat(c.rotation.rotation().repairLate()).isTrue();
    }
}
