package dev.stampede.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * {@code --config FILE} and {@code --check}, shared by {@code server}, {@code merge} and
 * {@code client} (docs/OPERATIONS.md, "Configuration file").
 */
final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE",
            description = "Read options from FILE: 'option = value' lines named like the long options without "
                    + "their dashes (port = 7000, fsync = interval, tls-cert = /etc/stampede/server.crt), "
                    + "flags as 'name = true|false', '#' comments. The command line overrides the file.")
    Path file;

    @Option(names = "--check",
            description = "Check everything (options, the config file, that the certificates, keys, CA and "
                    + "--kafka-config parse, that the output can be written), print the effective settings "
                    + "with where each comes from, and exit 0; or exit 2 naming what is wrong. Binds no port, "
                    + "creates or changes no file.")
    boolean check;

    /**
     * Applies the config file (if any) to the options of {@code spec} the command line did not give.
     *
     * @throws ConfigFile.ConfigException naming the file, line, key and what is wrong
     */
    EffectiveSettings apply(CommandSpec spec) {
        return EffectiveSettings.apply(spec, file);
    }

    /**
     * Checks that {@code file} could be written by the program, without writing it: an existing
     * one is a writable regular file, a missing one is in a writable folder.
     *
     * @param option the option that named it ({@code --output}), for the message
     * @throws IllegalArgumentException saying what is wrong
     */
    static void checkWritable(String option, Path file) {
        if (file == null) {
            return;
        }
        final Path abs = file.toAbsolutePath();
        if (Files.exists(abs)) {
            if (!Files.isRegularFile(abs) || !Files.isWritable(abs)) {
                throw new IllegalArgumentException(option + " " + file + ": not a file this user can write");
            }
            return;
        }
        final Path dir = abs.getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new IllegalArgumentException(option + " " + file + ": no folder " + dir);
        }
        if (!Files.isWritable(dir)) {
            throw new IllegalArgumentException(option + " " + file + ": cannot create it: the folder " + dir
                    + " is not writable for this user");
        }
    }

    /**
     * What {@code --check} ends with when all is well: the effective settings on stdout, one line
     * on the log, exit {@link Lifecycle#OK}.
     */
    int passed(EffectiveSettings settings, PrintWriter out, Consumer<String> log, String command) {
        settings.print(out);
        log.accept(command + ": --check: the settings are valid (nothing was bound, created or changed)");
        return Lifecycle.OK;
    }
}
