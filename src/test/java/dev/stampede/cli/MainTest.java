package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Help.Ansi;

/** The launcher's command line: a program started by name builds only its own model. */
class MainTest {
    @Test
    void aProgramStartedByNameHasOnlyItselfAndTheSameOptionsAsInTheFullTree() {
        final Map<String, CommandLine> all = Main.commandLine().getSubcommands();
        assertThat(all).containsOnlyKeys("server", "client", "merge", "demo", "verify", "help");
        for (String name : all.keySet()) {
            if (name.equals("help")) {
                continue;
            }
            final CommandLine alone = Main.commandLineFor(new String[] {name, "--help"});
            assertThat(alone.getSubcommands()).as(name).containsOnlyKeys(name);
            assertThat(alone.getSubcommands().get(name).getUsageMessage(Ansi.OFF))
                    .as("the help of " + name)
                    .isEqualTo(all.get(name).getUsageMessage(Ansi.OFF));
        }
    }

    @Test
    void anythingElseGetsEveryCommandSoThatHelpAndSuggestionsKnowThemAll() {
        for (String[] args : new String[][] {{}, {"--help"}, {"help", "client"}, {"clent"}, {"-V"}}) {
            assertThat(Main.commandLineFor(args).getSubcommands())
                    .as(String.join(" ", args))
                    .containsOnlyKeys("server", "client", "merge", "demo", "verify", "help");
        }
    }

    @Test
    void aMistypedProgramIsAnsweredWithTheClosestName() {
        final CommandLine cl = Main.commandLineFor(new String[] {"clent"});
        final StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("clent")).isEqualTo(2);
        assertThat(err.toString()).contains("Did you mean: stampede client?");
    }

    @Test
    void aProgramStartedAloneKeepsTheParsingRules() {
        final CommandLine cl = Main.commandLineFor(new String[] {"server"});
        cl.parseArgs("server", "-o", "ts.txt", "--fsync", "interval"); // enum values case-insensitive
        final Object fsync = cl.getSubcommands().get("server").getParseResult()
                .matchedOptionValue("--fsync", null);
        assertThat(String.valueOf(fsync)).isEqualTo("INTERVAL");
    }
}
