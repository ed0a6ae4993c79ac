package dev.stampede.cli.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.cli.Main;
import dev.stampede.testing.FakeNotifySocket;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** The man pages and the completion the archive ships, generated from the command line. */
class DistFilesTest {
    @TempDir
    Path dir;

    @Test
    void aPageForEveryCommandWithEveryOption() throws IOException {
        assertThat(DistFiles.write(dir, "1.2.3")).isEqualTo(6);
        final Path man = dir.resolve("man/man1");
        for (CommandSpec spec : DistFiles.pages(Main.commandLine())) {
            final String page = Files.readString(man.resolve(ManPage.fileName(spec)));
            assertThat(page).startsWith(".\\\" Generated").contains(".TH \"" + spec.qualifiedName("-").toUpperCase()
                    + "\" \"1\" \"\" \"stampede 1.2.3\"");
            for (OptionSpec o : spec.options()) {
                if (!o.hidden()) {
                    assertThat(page).as(spec.qualifiedName() + " " + o.longestName())
                            .contains("\\fB" + ManPage.escape(o.longestName()) + "\\fR");
                }
            }
        }
        assertThat(Files.readString(man.resolve("stampede.1"))).contains(".SH COMMANDS").contains("stampede\\-server\\fR(1)");
        assertThat(Files.readString(man.resolve("stampede-server.1")))
                .contains("(default: 5050)") // defaults as --help shows them
                .contains("date +%s%3N | nc \\-N 127.0.0.1 5050") // the footer's %% printed as %
                .doesNotContain("${DEFAULT-VALUE}");
        assertThat(man.resolve("stampede-help.1")).doesNotExist();
    }

    @Test
    void groffReadsEveryPageWithoutAWarning() throws Exception {
        Assumptions.assumeTrue(FakeNotifySocket.onPath("groff"), "groff is not installed");
        DistFiles.write(dir, "1.2.3");
        try (var pages = Files.list(dir.resolve("man/man1"))) {
            for (Path page : (Iterable<Path>) pages::iterator) {
                final Process p = new ProcessBuilder("groff", "-man", "-Tutf8", "-ww", "-z", page.toString())
                        .redirectErrorStream(true).start();
                final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(out).as(page.toString()).isEmpty();
                assertThat(p.exitValue()).isZero();
            }
        }
    }

    @Test
    void bashCompletesOptionsAndCommands() throws Exception {
        DistFiles.write(dir, "1.2.3");
        final Path script = dir.resolve("bash-completion/stampede");
        assertThat(complete(script, "stampede server --out")).contains("--output");
        assertThat(complete(script, "stampede me")).contains("merge");
    }

    /** What the completion offers for the last word of {@code line}. */
    private static String complete(Path script, String line) throws Exception {
        final String[] words = line.split(" ");
        final String bash = "source \"$1\" 2>/dev/null; COMP_LINE=\"$2\"; COMP_POINT=${#COMP_LINE}; "
                + "read -r -a COMP_WORDS <<< \"$2\"; COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); "
                + "_complete_stampede stampede \"${COMP_WORDS[COMP_CWORD]}\" 2>/dev/null; echo \"${COMPREPLY[*]}\"";
        final Process p = new ProcessBuilder("bash", "-c", bash, "bash", script.toString(), line)
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(words).isNotEmpty();
        return out;
    }

    @Test
    void theHelpCommandHasNoPage() {
        final CommandLine cl = Main.commandLine();
        assertThat(DistFiles.pages(cl)).extracting(CommandSpec::name)
                .containsExactly("stampede", "server", "client", "merge", "demo", "verify");
    }
}
