package dev.stampede.cli;

import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyException;
import dev.stampede.verify.VerifyResult;
import dev.stampede.runtime.LogFormat;
import dev.stampede.runtime.LogLevel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./stampede verify}: check an output file, or several (rotated) as one stream. */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Check an output file: well formed, ordered, unique, complete.",
            "",
            "Every line must be a timestamp ending in a newline, strictly ascending (non-decreasing "
                    + "with --keep-duplicates); with --expect, every timestamp a client recorded "
                    + "(client --record) must be in FILE or in FILE.late. Streams the file in constant memory.",
            "",
            "Several files (rotated ones, oldest first) are checked as ONE stream, in the order given: "
                    + "each must be well formed, and the order holds across them (the first line of a file "
                    + "must be above the last line of the one before); --expect looks in all the files and "
                    + "all their .late files. The report gives each file's line count, the totals, and the "
                    + "file and line of the first violation.",
            "",
            "Exit status: 0 if all holds, 1 if not, 2 if a file cannot be read.",
        },
        footer = {"", "Examples:", "  ./stampede verify timestamps.txt --expect sent.txt",
            "  ./stampede verify timestamps.txt.20261130T230000Z timestamps.txt.20261201T000000Z timestamps.txt"})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE",
            description = "The output file to check; several are checked as one stream, in this order.")
    List<Path> files;

    @Option(names = "--expect", paramLabel = "SENT_FILE",
            description = "A client's --record file; every timestamp in it must be in a FILE or its FILE.late. "
                    + "Repeatable.")
    List<Path> expect = new ArrayList<>();

    @Option(names = "--keep-duplicates", description = "The file was written with --keep-duplicates: repeats are fine.")
    boolean keepDuplicates;

    @Override
    public Integer call() {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        final long started = System.nanoTime();
        final FileVerifier verifier = new FileVerifier(keepDuplicates, fraction -> {
            if (System.nanoTime() - started > 2_000_000_000L) {
                say(err, LogLevel.INFO, String.format(Locale.ROOT, "verify: %.0f%%...", fraction * 100));
            }
        });
        try {
            final VerifyResult result = verifier.verify(files, expect);
            out.println(result.render());
            out.flush();
            return result.ok() ? 0 : 1;
        } catch (VerifyException e) {
            say(err, LogLevel.ERROR, "verify: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            say(err, LogLevel.ERROR, "verify: cannot read: " + e);
            return 2;
        }
    }

    /** A status line on stderr, with its time and level like every log line (the report goes to stdout as is). */
    private static void say(PrintWriter err, LogLevel level, String line) {
        err.println(LogFormat.TEXT.format(System.currentTimeMillis(), level, line));
        err.flush();
    }
}
