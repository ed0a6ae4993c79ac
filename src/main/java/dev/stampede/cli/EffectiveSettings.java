package dev.stampede.cli;

import dev.stampede.cli.ConfigFile.ConfigException;
import dev.stampede.cli.ConfigFile.Entry;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * A command's options with a config file applied: each option's value and where it came from (the
 * command line, a line of the file, or the default). The file's values are converted and checked
 * by the option's own converter (the same messages as on the command line, with the file, line
 * and key in front), and set on every option the command line did not give: the command line
 * wins. Prints the settings as {@code --check} shows them.
 */
final class EffectiveSettings {
    /** Options that no file may set: they are about the command line itself. */
    private static final Set<String> NOT_IN_A_FILE = Set.of("config", "check", "help", "version");

    private final CommandSpec spec;
    private final Path file;
    private final Predicate<String> onCommandLine;
    /** The file's entry behind each option it set, by key. */
    private final Map<String, Entry> fromFile = new LinkedHashMap<>();

    private EffectiveSettings(CommandSpec spec, Path file, Predicate<String> onCommandLine) {
        this.spec = spec;
        this.file = file;
        this.onCommandLine = onCommandLine;
    }

    /**
     * Applies {@code file} (if any) to the options of {@code spec} that {@code onCommandLine} says
     * the command line did not give.
     *
     * @param onCommandLine whether the command line gave an option, by its longest name ({@code --port})
     * @throws ConfigException naming the file, the line, the key and what is wrong
     */
    static EffectiveSettings apply(CommandSpec spec, Path file, Predicate<String> onCommandLine) {
        final EffectiveSettings s = new EffectiveSettings(spec, file, onCommandLine);
        if (file != null) {
            s.applyFile();
        }
        return s;
    }

    /** As {@link #apply}, with what the command's own parse matched as the command line. */
    static EffectiveSettings apply(CommandSpec spec, Path file) {
        final CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        return apply(spec, file, name -> parsed != null && parsed.hasMatchedOption(name));
    }

    private void applyFile() {
        final Map<String, List<Entry>> byKey = new LinkedHashMap<>();
        for (Entry e : ConfigFile.read(file)) {
            final OptionSpec o = spec.findOption("--" + e.key());
            if (NOT_IN_A_FILE.contains(e.key())) {
                throw error(e, "'" + e.key() + "' belongs on the command line, not in a config file");
            }
            if (o == null || !o.longestName().equals("--" + e.key())) {
                throw error(e, "unknown key: '" + e.key() + "' is no option of 'stampede " + spec.name()
                        + "' (keys are the long options without their dashes; see --help)");
            }
            final List<Entry> same = byKey.computeIfAbsent(e.key(), k -> new ArrayList<>());
            if (!same.isEmpty() && !o.isMultiValue()) {
                throw error(e, "'" + e.key() + "' is set twice (first on line " + same.get(0).line()
                        + "); it takes one value");
            }
            same.add(e);
        }
        // Each option's values parsed by a fresh copy of the command: its converters, its messages.
        final CommandLine fresh = Main.configure(new CommandLine(spec.userObject().getClass()));
        for (Map.Entry<String, List<Entry>> k : byKey.entrySet()) {
            final OptionSpec target = spec.findOption("--" + k.getKey());
            final Object value = convert(fresh, target, k.getValue());
            fromFile.put(k.getKey(), k.getValue().get(0));
            if (!onCommandLine.test(target.longestName())) {
                target.setValue(value);
            }
        }
    }

    private Object convert(CommandLine fresh, OptionSpec o, List<Entry> entries) {
        final List<String> args = new ArrayList<>();
        final boolean flag = o.arity().max() == 0;
        for (Entry e : entries) {
            if (flag) {
                final String v = e.value().toLowerCase(Locale.ROOT);
                if (!v.equals("true") && !v.equals("false")) {
                    throw error(e, "'" + e.value() + "' is not true or false ('" + e.key() + "' is a flag)");
                }
                if (v.equals("false")) {
                    return false;
                }
                args.add(o.longestName());
            } else {
                args.add(o.longestName());
                args.add(e.value());
            }
        }
        try {
            fresh.parseArgs(args.toArray(new String[0]));
        } catch (ParameterException ex) {
            throw error(entries.get(0), ex.getMessage());
        }
        return fresh.getCommandSpec().findOption(o.longestName()).getValue();
    }

    private ConfigException error(Entry e, String what) {
        return new ConfigException(file + " line " + e.line() + ": " + e.key() + " = " + e.value() + ": " + what);
    }

    /** Whether the command line gave {@code o}. */
    boolean onCommandLine(OptionSpec o) {
        return onCommandLine.test(o.longestName());
    }

    /** Whether the command line gave the option of this longest name ({@code --port}). */
    boolean onCommandLine(String longestName) {
        return onCommandLine.test(longestName);
    }

    /** The config file, or {@code null}. */
    Path file() {
        return file;
    }

    /** Where an option's value came from: {@code command line}, {@code FILE line N} or {@code default}. */
    String origin(OptionSpec o) {
        if (onCommandLine.test(o.longestName())) {
            return "command line";
        }
        final Entry e = fromFile.get(key(o));
        return e != null ? file + " line " + e.line() : "default";
    }

    /**
     * A message about an option (from the commands' own checks, which name options as
     * {@code --port}) with the file's line added when the file set that option: the operator sees
     * where to fix it.
     */
    String annotate(String message) {
        for (Map.Entry<String, Entry> k : fromFile.entrySet()) {
            final OptionSpec o = spec.findOption("--" + k.getKey());
            if (message != null && message.contains("--" + k.getKey()) && !onCommandLine.test(o.longestName())) {
                final Entry e = k.getValue();
                return message + " (" + e.key() + " = " + e.value() + ": " + file + " line " + e.line() + ")";
            }
        }
        return message;
    }

    /** The options a file may set, in the order of --help. */
    List<OptionSpec> options() {
        final List<OptionSpec> out = new ArrayList<>();
        for (OptionSpec o : spec.options()) {
            if (o.longestName().startsWith("--") && !NOT_IN_A_FILE.contains(key(o))) {
                out.add(o);
            }
        }
        return out;
    }

    /**
     * Prints every option with its value and its origin, as config-file lines (an option not set is
     * a comment): what {@code --check} shows, and a config file to start from.
     */
    void print(PrintWriter out) {
        out.println("# stampede " + spec.name() + ": effective settings" + (file != null ? " (--config " + file + ")"
                : "") + "; after each, where it came from");
        for (OptionSpec o : options()) {
            final Object v = o.getValue();
            final String line = v == null ? "# " + key(o) + " =" : key(o) + " = " + format(v);
            out.println(String.format(Locale.ROOT, "%-40s # %s", line, v == null ? "not set (" + origin(o) + ")"
                    : origin(o)));
        }
        out.flush();
    }

    /** An option's key in a file: its long name without the dashes. */
    static String key(OptionSpec o) {
        return o.longestName().replaceFirst("^-+", "");
    }

    /** A value as a file (or the command line) writes it. */
    static String format(Object v) {
        final String s;
        if (v instanceof Duration) {
            s = DurationConverter.format((Duration) v);
        } else if (v instanceof Enum) {
            s = ((Enum<?>) v).name().toLowerCase(Locale.ROOT);
        } else if (v instanceof InetSocketAddress) {
            final InetSocketAddress a = (InetSocketAddress) v;
            s = a.getHostString() + ":" + a.getPort();
        } else {
            s = String.valueOf(v);
        }
        return s.isEmpty() || !s.strip().equals(s) || s.contains("#") ? "\"" + s + "\"" : s;
    }
}
