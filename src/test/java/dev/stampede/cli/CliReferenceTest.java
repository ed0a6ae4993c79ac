package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * docs/CLI.md is every command's {@code --help}, generated from the commands themselves, so the
 * reference can never drift from the behaviour. When an option changes, regenerate it:
 * {@code mvn -o -q test -Dtest=CliReferenceTest -Dstampede.writeCliReference=true}.
 */
class CliReferenceTest {
    private static final Path REFERENCE = Path.of("docs/CLI.md");

    @Test
    void docsCliMdIsTheHelpOfEveryCommand() throws IOException {
        final String generated = reference();
        if (Boolean.getBoolean("stampede.writeCliReference")) {
            Files.writeString(REFERENCE, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(REFERENCE, StandardCharsets.UTF_8))
                .as("docs/CLI.md is stale: regenerate it with "
                        + "mvn -o -q test -Dtest=CliReferenceTest -Dstampede.writeCliReference=true")
                .isEqualTo(generated);
    }

    /** The reference: the launcher's help, then each command's, in the order the launcher lists them. */
    static String reference() {
        final CommandLine main = Main.commandLine();
        final StringBuilder md = new StringBuilder();
        md.append("# Command-line reference\n\n")
                .append("Every command's `--help`, generated from the commands themselves ")
                .append("(`src/test/java/dev/stampede/cli/CliReferenceTest.java` checks that this file is current).\n")
                .append("The guides: [README](../README.md), [USAGE](USAGE.md), [OPERATIONS](OPERATIONS.md), [DESIGN](DESIGN.md), ")
                .append("[SCALE-OUT](SCALE-OUT.md), [SECURITY](SECURITY.md), [PROTOCOL](PROTOCOL.md).\n\n");
        section(md, "stampede", main);
        for (Map.Entry<String, CommandLine> sub : main.getSubcommands().entrySet()) {
            if (!sub.getKey().equals("help")) {
                section(md, "stampede " + sub.getKey(), sub.getValue());
            }
        }
        return md.toString();
    }

    private static void section(StringBuilder md, String title, CommandLine command) {
        command.setUsageHelpWidth(100);
        command.setUsageHelpAutoWidth(false);
        md.append("## `").append(title).append("`\n\n```\n")
                .append(command.getUsageMessage(CommandLine.Help.Ansi.OFF).stripTrailing())
                .append("\n```\n\n");
    }
}
