package dev.stampede.journal;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link ResumeScan} with Jazzer: arbitrary file contents, scanned
 * through the real {@link AppendChannel#FILES}. The scan either refuses the file (a
 * {@link FileFormatException}, file untouched) or resumes it (only a torn tail of digits cut, the
 * right last value and history) and nothing else, and it refuses exactly the files that are not
 * ascending timestamps.
 *
 * <p>{@code mvn verify} runs it in regression mode over the seeds in
 * {@code src/test/resources/dev/stampede/journal/ResumeScanFuzzTestInputs/scan/} (each seed is a
 * file's bytes). To fuzz for real (two minutes; findings are added to that directory, the corpus
 * Jazzer grows goes to {@code .cifuzz-corpus/}):
 *
 * <pre>JAZZER_FUZZ=1 mvn test -Dtest=ResumeScanFuzzTest</pre>
 */
class ResumeScanFuzzTest {
    /** Small inputs only: the whole file fits in the head that the scan checks line by line. */
    private static final int MAX_CHECKED_BYTES = 64 * 1024;
    private static final Path DIR = tempDir();

    private static Path tempDir() {
        try {
            final Path d = Files.createTempDirectory("resume-fuzz");
            d.toFile().deleteOnExit();
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "2m")
    void scan(byte[] content) throws IOException {
        if (content.length > MAX_CHECKED_BYTES) {
            return;
        }
        check(content, false, 0);
        check(content, false, 100);
        check(content, true, Long.MAX_VALUE);
    }

    private static void check(byte[] content, boolean keepDuplicates, long historyMs) throws IOException {
        final Path f = DIR.resolve("out.txt");
        Files.write(f, content);
        f.toFile().deleteOnExit();
        final Model model = new Model(content, keepDuplicates);
        final ResumePoint p;
        try (AppendChannel ch = AppendChannel.FILES.open(f)) {
            p = ResumeScan.scan(ch, f, keepDuplicates, historyMs);
        } catch (FileFormatException e) {
            assertThat(Files.readAllBytes(f)).as("a refused file is left untouched").isEqualTo(content);
            assertThat(model.valid).as("refused a file of ascending timestamps: %s", e.getMessage()).isFalse();
            return;
        }
        assertThat(model.valid).as("accepted a file that is not ascending timestamps").isTrue();
        final byte[] after = Files.readAllBytes(f);
        assertThat(after).as("only the torn tail is cut").isEqualTo(Arrays.copyOf(content, model.keptBytes));
        assertThat(after.length == 0 || after[after.length - 1] == '\n').as("ends with a newline or is empty").isTrue();
        assertThat(p.tornBytes()).isEqualTo(content.length - after.length);
        assertThat(p.sizeBytes()).isEqualTo(after.length);

        final List<Long> values = model.values;
        if (values.isEmpty()) {
            assertThat(p.hasData()).isFalse();
            assertThat(p.recent()).isEmpty();
            return;
        }
        final long last = values.get(values.size() - 1);
        assertThat(p.lastValue()).as("the last line").isEqualTo(last);
        final List<Long> expected = new ArrayList<>();
        for (int i = values.size() - 1; i >= 0 && values.get(i) >= last - historyMs; i--) {
            expected.add(0, values.get(i));
        }
        assertThat(p.recent()).as("the values within the history, ascending")
                .containsExactly(expected.stream().mapToLong(Long::longValue).toArray());
    }

    /** What the file is, worked out the obvious way. */
    private static final class Model {
        /** Whether it is ascending timestamps with at most a torn tail of up to 64 digits. */
        final boolean valid;
        /** Bytes up to and with the last newline. */
        final int keptBytes;
        final List<Long> values = new ArrayList<>();

        Model(byte[] content, boolean keepDuplicates) {
            int lastNewline = content.length - 1;
            while (lastNewline >= 0 && content[lastNewline] != '\n') {
                lastNewline--;
            }
            keptBytes = lastNewline + 1;
            final int torn = content.length - keptBytes;
            boolean ok = torn <= 64;
            for (int i = keptBytes; i < content.length; i++) {
                ok &= content[i] >= '0' && content[i] <= '9';
            }
            final String text = new String(content, 0, keptBytes, StandardCharsets.ISO_8859_1);
            int start = 0;
            while (ok && start < keptBytes) {
                final int end = text.indexOf('\n', start);
                final long v = parse(text.substring(start, end));
                final long prev = values.isEmpty() ? -1 : values.get(values.size() - 1);
                ok = v >= 0 && (v > prev || (v == prev && keepDuplicates));
                values.add(v);
                start = end + 1;
            }
            valid = ok;
        }

        private static long parse(String line) {
            if (line.isEmpty() || line.length() > 19 || !line.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return -1;
            }
            try {
                return Long.parseLong(line);
            } catch (NumberFormatException e) {
                return -1;
            }
        }
    }
}
