package dev.stampede.cli.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * A man page, in roff ({@code man(7)} macros), from a picocli command: its name, synopsis,
 * description, options (their help, defaults included) and examples (the help footer), the same
 * text {@code --help} shows. Written here rather than with picocli-codegen's ManPageGenerator,
 * which writes AsciiDoc and so needs Asciidoctor (a Ruby toolchain, or AsciidoctorJ's ~30 MB
 * JRuby) to become a man page: roff is a few macros, and {@code man} reads it as it is.
 */
public final class ManPage {
    private ManPage() {}

    /** The page's file name: {@code stampede.1}, {@code stampede-server.1}. */
    public static String fileName(CommandSpec spec) {
        return pageName(spec) + ".1";
    }

    /**
     * The page of {@code spec} (a subcommand's page names its parent's in SEE ALSO, the top one
     * its subcommands).
     *
     * @param version the version the header shows ({@code stampede 0.1.0})
     */
    public static String render(CommandSpec spec, String version) {
        final StringBuilder out = new StringBuilder(8192);
        final String name = pageName(spec);
        out.append(".\\\" Generated from the command line by dev.stampede.cli.docs.ManPage: do not edit.\n");
        out.append(".TH \"").append(name.toUpperCase(Locale.ROOT)).append("\" \"1\" \"\" \"stampede ")
                .append(escape(version)).append("\" \"stampede manual\"\n");
        out.append(".SH NAME\n").append(escape(name)).append(" \\- ").append(escape(firstLine(spec))).append('\n');
        synopsis(spec, out);
        section(out, "DESCRIPTION", spec.usageMessage().description());
        options(spec, out);
        commands(spec, out);
        section(out, "EXAMPLES", footer(spec));
        exitCodes(spec, out);
        out.append(".SH \"SEE ALSO\"\n").append(seeAlso(spec)).append('\n');
        return out.toString();
    }

    private static void synopsis(CommandSpec spec, StringBuilder out) {
        out.append(".SH SYNOPSIS\n.B ").append(escape(spec.qualifiedName(" "))).append('\n');
        if (!spec.subcommands().isEmpty()) {
            out.append(".I COMMAND\n");
        }
        if (!spec.options().isEmpty()) {
            out.append("[\\fIOPTIONS\\fR]\n");
        }
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden()) {
                out.append(".I ").append(escape(p.paramLabel())).append(p.arity().max > 1 ? "..." : "").append('\n');
            }
        }
    }

    private static void options(CommandSpec spec, StringBuilder out) {
        final List<PositionalParamSpec> positionals = new ArrayList<>();
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (!p.hidden()) {
                positionals.add(p);
            }
        }
        if (!positionals.isEmpty()) {
            out.append(".SH ARGUMENTS\n");
            for (PositionalParamSpec p : positionals) {
                out.append(".TP\n.I ").append(escape(p.paramLabel())).append('\n');
                paragraph(out, String.join(" ", p.description()));
            }
        }
        if (spec.options().isEmpty()) {
            return;
        }
        out.append(".SH OPTIONS\n");
        for (OptionSpec o : spec.options()) {
            if (o.hidden()) {
                continue;
            }
            out.append(".TP\n");
            final String[] names = o.names();
            for (int i = 0; i < names.length; i++) {
                out.append(i == 0 ? "" : ", ").append("\\fB").append(escape(names[i])).append("\\fR");
            }
            if (o.arity().max > 0) {
                out.append(" \\fI").append(escape(o.paramLabel())).append("\\fR");
            }
            out.append('\n');
            paragraph(out, String.join(" ", o.description()));
        }
    }

    /** The command's exit codes, if its help lists them ({@code exitCodeList}). */
    private static void exitCodes(CommandSpec spec, StringBuilder out) {
        final java.util.Map<String, String> codes = spec.usageMessage().exitCodeList();
        if (codes.isEmpty()) {
            return;
        }
        out.append(".SH \"EXIT STATUS\"\n");
        for (java.util.Map.Entry<String, String> e : codes.entrySet()) {
            out.append(".TP\n.B ").append(escape(format(e.getKey()).trim())).append('\n');
            paragraph(out, e.getValue());
        }
    }

    private static void commands(CommandSpec spec, StringBuilder out) {
        if (spec.subcommands().isEmpty()) {
            return;
        }
        out.append(".SH COMMANDS\n");
        for (CommandLine sub : spec.subcommands().values()) {
            final CommandSpec s = sub.getCommandSpec();
            if (s.usageMessage().hidden() || !documented(s)) {
                continue;
            }
            out.append(".TP\n.B ").append(escape(s.name())).append('\n');
            paragraph(out, firstLine(s) + " See \\fB" + escape(pageName(s)) + "\\fR(1).");
        }
    }

    /** Help's own command has no page. */
    static boolean documented(CommandSpec s) {
        return !(s.userObject() instanceof CommandLine.HelpCommand);
    }

    /** Lines of help text: paragraphs at blank lines; an indented line is kept as it is (examples). */
    private static void section(StringBuilder out, String title, String[] lines) {
        if (lines.length == 0 || String.join("", lines).isBlank()) {
            return;
        }
        out.append(".SH ").append(title).append('\n');
        boolean verbatim = false;
        final StringBuilder para = new StringBuilder();
        for (String raw : lines) {
            for (String line : format(raw).split("\n", -1)) {
                final boolean indented = line.startsWith(" ");
                if (line.isBlank() || indented != verbatim) {
                    flush(out, para, verbatim);
                }
                if (indented) {
                    verbatim = true;
                    para.append(line).append('\n');
                } else {
                    verbatim = false;
                    if (!line.isBlank()) {
                        para.append(para.length() > 0 ? " " : "").append(line.trim());
                    }
                }
            }
        }
        flush(out, para, verbatim);
    }

    private static void flush(StringBuilder out, StringBuilder para, boolean verbatim) {
        if (para.length() == 0) {
            return;
        }
        if (verbatim) {
            out.append(".PP\n.nf\n.RS 4\n");
            for (String l : para.toString().split("\n")) {
                out.append(escapeLine(l)).append('\n');
            }
            out.append(".RE\n.fi\n");
        } else {
            out.append(".PP\n");
            paragraph(out, para.toString());
        }
        para.setLength(0);
    }

    private static void paragraph(StringBuilder out, String text) {
        out.append(escapeLine(format(text).trim())).append('\n');
    }

    /** Text as picocli prints it: its help text is a format string ({@code %%} is a percent sign, {@code %n} a line end). */
    private static String format(String s) {
        return s.replace("%n", "\n").replace("%%", "%");
    }

    private static String[] footer(CommandSpec spec) {
        final List<String> lines = new ArrayList<>();
        for (String l : spec.usageMessage().footer()) {
            if (!l.equals("Examples:") && !l.equals("Example:")) {
                lines.add(l);
            }
        }
        return lines.toArray(new String[0]);
    }

    private static String firstLine(CommandSpec spec) {
        final String[] d = spec.usageMessage().description();
        return d.length == 0 ? spec.name() : format(d[0]).trim();
    }

    private static String seeAlso(CommandSpec spec) {
        final List<String> refs = new ArrayList<>();
        final CommandSpec root = spec.root();
        if (spec != root) {
            refs.add("\\fB" + escape(pageName(root)) + "\\fR(1)");
        }
        for (CommandLine sub : root.subcommands().values()) {
            final CommandSpec s = sub.getCommandSpec();
            if (s != spec && documented(s)) {
                refs.add("\\fB" + escape(pageName(s)) + "\\fR(1)");
            }
        }
        return String.join(", ", refs);
    }

    private static String pageName(CommandSpec spec) {
        return spec.qualifiedName("-");
    }

    /** A line of text: roff escapes, and a leading dot or quote that roff would take for a request. */
    private static String escapeLine(String s) {
        final String e = escape(s);
        return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
    }

    /** Backslashes and hyphens (a plain '-' may print as a typographic hyphen; options need '\-'). */
    static String escape(String s) {
        return s.replace("\\", "\\e").replace("-", "\\-");
    }
}
