package dev.stampede.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A config file ({@code --config FILE}) as lines of {@code option = value}: the option's long name
 * without its dashes ({@code port = 7000}, {@code tls-cert = /etc/stampede/server.crt}), a
 * {@code #} starting a comment (at the start of a line, or after a blank), blank lines ignored. A
 * value may be put in double quotes to keep a {@code " #"} or leading/trailing blanks. Only the
 * syntax is checked here; which keys exist and what their values may be is
 * {@link ConfigOptions}' job, against the command's own options.
 */
final class ConfigFile {
    /** A key as options are named: lowercase words joined by dashes (a leading {@code --} tolerated). */
    private static final Pattern LINE = Pattern.compile("(?:--)?([a-z][a-z0-9-]*)\\s*=\\s*(.*)");

    /** A comment in a value: a {@code #} at its start or after a blank. */
    private static final Pattern COMMENT = Pattern.compile("(?:^|\\s)#");

    private ConfigFile() {}

    /**
     * One {@code key = value} line.
     *
     * @param key the option's long name without dashes
     * @param value the value as written, comment and quotes removed (may be empty)
     * @param line the line number, from 1
     */
    record Entry(String key, String value, int line) {}

    /** A file that cannot be read or a line that is not {@code key = value}: a usage error (exit 2). */
    static final class ConfigException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        ConfigException(String message) {
            super(message);
        }
    }

    /**
     * The entries of {@code file}, in file order.
     *
     * @throws ConfigException naming the file (and line) and what is wrong
     */
    static List<Entry> read(Path file) {
        final List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ConfigException("--config " + file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException("--config " + file + ": cannot read it: " + e);
        }
        final List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            final String text = lines.get(i).strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            final Matcher m = LINE.matcher(text);
            if (!m.matches()) {
                throw new ConfigException(file + " line " + (i + 1) + ": '" + text + "' is not 'option = value' "
                        + "(an option's long name without dashes, e.g. 'port = 5050')");
            }
            entries.add(new Entry(m.group(1), value(m.group(2), file, i + 1), i + 1));
        }
        return entries;
    }

    /** The value without its comment and quotes. */
    private static String value(String raw, Path file, int line) {
        if (raw.startsWith("\"")) {
            final int close = raw.indexOf('"', 1);
            final String rest = close < 0 ? null : raw.substring(close + 1).strip();
            if (rest == null || !(rest.isEmpty() || rest.startsWith("#"))) {
                throw new ConfigException(file + " line " + line + ": a quoted value must end with '\"' "
                        + "(and only a comment may follow)");
            }
            return raw.substring(1, close);
        }
        final Matcher comment = COMMENT.matcher(raw);
        return (comment.find() ? raw.substring(0, comment.start()) : raw).strip();
    }
}
