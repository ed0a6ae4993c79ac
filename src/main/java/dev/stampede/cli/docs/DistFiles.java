package dev.stampede.cli.docs;

import dev.stampede.cli.Main;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * Writes the files of the release archive that come from the command line itself, so that they
 * always match it: a man page per command ({@link ManPage}) and the bash completion (picocli's
 * {@link AutoComplete}). Run by the build (pom.xml, {@code prepare-package}):
 *
 * <pre>DistFiles OUTPUT_DIR VERSION</pre>
 *
 * leaves {@code OUTPUT_DIR/man/man1/*.1} and {@code OUTPUT_DIR/bash-completion/stampede}.
 */
public final class DistFiles {
    private DistFiles() {}

    /** Writes the man pages and the completion script under {@code args[0]}, for version {@code args[1]}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: DistFiles OUTPUT_DIR VERSION");
        }
        write(Path.of(args[0]), args[1]);
    }

    /** Writes the files; returns how many man pages. */
    public static int write(Path dir, String version) throws IOException {
        final CommandLine cl = Main.commandLine();
        final Path man = Files.createDirectories(dir.resolve("man").resolve("man1"));
        int pages = 0;
        for (CommandSpec spec : pages(cl)) {
            Files.writeString(man.resolve(ManPage.fileName(spec)), ManPage.render(spec, version), StandardCharsets.UTF_8);
            pages++;
        }
        final Path completion = Files.createDirectories(dir.resolve("bash-completion"));
        Files.writeString(completion.resolve("stampede"), AutoComplete.bash("stampede", cl), StandardCharsets.UTF_8);
        return pages;
    }

    /** The commands that get a page: stampede itself and each subcommand but {@code help}. */
    static java.util.List<CommandSpec> pages(CommandLine cl) {
        final java.util.List<CommandSpec> specs = new java.util.ArrayList<>();
        specs.add(cl.getCommandSpec());
        for (CommandLine sub : cl.getSubcommands().values()) {
            if (ManPage.documented(sub.getCommandSpec())) {
                specs.add(sub.getCommandSpec());
            }
        }
        return specs;
    }
}
