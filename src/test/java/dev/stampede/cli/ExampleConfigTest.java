package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The example configs of the release archive (src/dist/etc) name real options with valid values:
 * every {@code option = value} line, commented out or not, parses as {@code --option value}.
 */
class ExampleConfigTest {
    private static final Pattern SETTING = Pattern.compile("^#?([a-z][a-z0-9-]*) = (.+)$");

    @Test
    void theServerExampleNamesServerOptions() throws IOException {
        final List<String[]> settings = settings("server.conf");
        assertThat(settings).extracting(s -> s[0]).contains("bind", "port", "output", "fsync", "metrics", "tls-cert");
        check(settings, ServerCommand::new);
    }

    @Test
    void theMergeExampleNamesMergeOptions() throws IOException {
        final List<String[]> settings = settings("merge.conf");
        assertThat(settings).extracting(s -> s[0]).contains("kafka", "topic", "output");
        check(settings, MergeCommand::new);
    }

    private static void check(List<String[]> settings, java.util.function.Supplier<Object> command) {
        final List<String> all = new ArrayList<>();
        for (String[] s : settings) {
            // One at a time, so that a failure names its line; then all together (no clash).
            Main.configure(new CommandLine(command.get())).parseArgs("--" + s[0], s[1]);
            all.add("--" + s[0]);
            all.add(s[1]);
        }
        Main.configure(new CommandLine(command.get())).parseArgs(all.toArray(new String[0]));
    }

    private static List<String[]> settings(String file) throws IOException {
        final List<String[]> out = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("src", "dist", "etc", file))) {
            final Matcher m = SETTING.matcher(line.trim());
            if (m.matches()) {
                out.add(new String[] {m.group(1), m.group(2).trim()});
            }
        }
        return out;
    }
}
