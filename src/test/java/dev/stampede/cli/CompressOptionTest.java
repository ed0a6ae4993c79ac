package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code --compress gzip} needs {@code --rotate}: without it, server and merge refuse to start (exit 2). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CompressOptionTest {
    private final StringWriter err = new StringWriter();

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
        assertThat(run("server", "--port", "0", "--compress", "gzip")).isEqualTo(2);
        assertThat(err.toString()).contains("--compress needs --rotate");
        err.getBuffer().setLength(0);
        assertThat(run("merge", "--kafka", "127.0.0.1:1", "--topic", "t", "--compress", "gzip")).isEqualTo(2);
        assertThat(err.toString()).contains("--compress needs --rotate");
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        assertThat(run("server", "--port", "0", "--rotate", "1s", "--compress", "zstd")).isEqualTo(2);
        assertThat(err.toString()).contains("only gzip");
    }

    @Test
    void withRotateItIsTheRotations() {
        final CommandLine cl = Main.commandLine();
        cl.parseArgs("server", "--rotate", "2s", "--compress", "gzip");
        final ServerCommand c = cl.getSubcommands().get("server").getCommand();
        assertThat(c.rotation.rotation().compress()).isTrue();
    }
}
