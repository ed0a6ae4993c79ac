package dev.stampede.cli;

import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyException;
import dev.stampede.verify.VerifyResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ./stampede verify}: check an output file. */
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
            "Exit status: 0 if all holds, 1 if not, 2 if a file cannot be read.",
        },
        footer = {"", "Example:", "  ./stampede verify timestamps.txt --expect sent.txt"})
final class VerifyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "The output file to check.")
    Path file;

    @Option(names = "--expect", paramLabel = "SENT_FILE",
            description = "A client's --record file; every timestamp in it must be in FILE or FILE.late. Repeatable.")
    List<Path> expect = new ArrayList<>();

    @Option(names = "--keep-duplicates", description = "The file was written with --keep-duplicates: repeats are fine.")
    boolean keepDuplicates;

    @Override
    public Integer call() {
        final long started = System.nanoTime();
        final FileVerifier verifier = new FileVerifier(keepDuplicates, fraction -> {
            if (System.nanoTime() - started > 2_000_000_000L) {
                System.err.printf(Locale.ROOT, "verify: %.0f%%...%n", fraction * 100);
            }
        });
        try {
            final VerifyResult result = verifier.verify(file, expect);
            System.out.println(result.render());
            return result.ok() ? 0 : 1;
        } catch (VerifyException e) {
            System.err.println("verify: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("verify: cannot read: " + e);
            return 2;
        }
    }
}
