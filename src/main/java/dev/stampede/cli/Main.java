package dev.stampede.cli;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
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
        footer = {"", "Run './stampede COMMAND --help' for the options of each command."})
public final class Main implements Runnable {
    /**
     * The programs, in the order the help lists them. Added here rather than by the annotation,
     * so that a program started by name builds only its own model: picocli reflects over every
     * option of every command it is given, which took 80 ms of the 0.5 s of CPU a client spends
     * before its first connect (docs/PERFORMANCE.md, Client), CPU that a client starting 5,000
     * connections takes from its first ticks.
     */
    private static final Map<String, Supplier<Object>> PROGRAMS = programs();

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
        System.exit(commandLineFor(args).execute(args));
    }

    /** The configured command line with every command, for the help, the docs and tests. */
    public static CommandLine commandLine() {
        return launcher(PROGRAMS.values(), true);
    }

    /**
     * The command line that {@code args} needs: only the program they name when they start with
     * one ({@code client ...}), else every command (the launcher's help, {@code help COMMAND}, a
     * mistyped name, which picocli answers with the names it knows).
     */
    static CommandLine commandLineFor(String[] args) {
        final Supplier<Object> program = args.length > 0 ? PROGRAMS.get(args[0]) : null;
        return program == null ? commandLine() : launcher(List.of(program), false);
    }

    /**
     * The launcher with these programs, configured last: picocli applies a setting to the
     * commands it has when the setting is made, not to those added after.
     */
    private static CommandLine launcher(Collection<Supplier<Object>> programs, boolean help) {
        final CommandLine cl = new CommandLine(new Main());
        programs.forEach(program -> cl.addSubcommand(program.get()));
        if (help) {
            cl.addSubcommand(new CommandLine.HelpCommand());
        }
        return configure(cl);
    }

    private static Map<String, Supplier<Object>> programs() {
        final Map<String, Supplier<Object>> programs = new LinkedHashMap<>();
        programs.put("server", ServerCommand::new);
        programs.put("client", ClientCommand::new);
        programs.put("merge", MergeCommand::new);
        programs.put("demo", DemoCommand::new);
        programs.put("verify", VerifyCommand::new);
        return programs;
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
