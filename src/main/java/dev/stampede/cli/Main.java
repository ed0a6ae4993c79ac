package dev.stampede.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./stampede}: the launcher's entry point, one subcommand per program. */
@Command(
        name = "stampede",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = {
            "Timestamp ingestion: clients send the time every 50 ms on many TCP connections; "
                    + "the server merges them into one ordered, duplicate-free file.",
            "",
            "Start with:  ./stampede demo",
            "",
        },
        subcommands = {
            ServerCommand.class,
            ClientCommand.class,
            MergeCommand.class,
            DemoCommand.class,
            VerifyCommand.class,
            CommandLine.HelpCommand.class,
        },
        footer = {"", "Run './stampede COMMAND --help' for the options of each command."})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Runs the command line and exits with its status. */
    public static void main(String[] args) {
        // Kafka's clients log through SLF4J; stampede says what matters in its own lines (through
        // its non-blocking log), so theirs are switched off, without SLF4J's "no provider" notice.
        if (System.getProperty("slf4j.provider") == null) {
            System.setProperty("slf4j.provider", "org.slf4j.helpers.NOP_FallbackServiceProvider");
            System.setProperty("slf4j.internal.verbosity", "WARN");
        }
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, for {@link #main} and tests. */
    public static CommandLine commandLine() {
        return configure(new CommandLine(new Main()));
    }

    /** The parsing rules of every stampede command line ({@code --fsync interval}, {@code --phase spread}). */
    static CommandLine configure(CommandLine cl) {
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: try './stampede demo'");
    }

    /** The version from the jar's manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            final String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"stampede " + (v == null ? "(development build)" : v)};
        }
    }
}
