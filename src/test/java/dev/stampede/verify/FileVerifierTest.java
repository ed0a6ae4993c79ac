package dev.stampede.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileVerifierTest {
    private static final long T = 1_750_000_000_000L;

    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private static VerifyResult verify(Path f, Path... expect) throws IOException {
        return new FileVerifier(false, null).verify(f, List.of(expect));
    }

    @Test
    void anAscendingFileIsOk() throws IOException {
        final VerifyResult r = verify(file("ok.txt", T + "\n" + (T + 1) + "\n" + (T + 50) + "\n"));
        assertThat(r.ok()).isTrue();
        assertThat(r.lines()).isEqualTo(3);
        assertThat(r.first()).isEqualTo(T);
        assertThat(r.last()).isEqualTo(T + 50);
        assertThat(r.render()).contains("lines     3", "span      0.050 s", "verify: OK");
    }

    @Test
    void anEmptyFileIsOk() throws IOException {
        assertThat(verify(file("empty.txt", "")).ok()).isTrue();
    }

    @Test
    void aRepeatIsAViolationUnlessDuplicatesAreKept() throws IOException {
        final Path f = file("dup.txt", T + "\n" + T + "\n");
        final VerifyResult r = verify(f);
        assertThat(r.ok()).isFalse();
        assertThat(r.firstViolation()).isEqualTo("line 2: " + T + " appears twice in a row");
        assertThat(new FileVerifier(true, null).verify(f, List.of()).ok()).isTrue();
    }

    @Test
    void aStepBackIsAViolationWithItsLineNumber() throws IOException {
        final VerifyResult r = verify(file("desc.txt", T + "\n" + (T + 5) + "\n" + (T + 3) + "\n" + (T + 1) + "\n"));
        assertThat(r.firstViolation()).isEqualTo("line 3: " + (T + 3) + " is below the line before (" + (T + 5) + ")");
        assertThat(r.violations()).isEqualTo(2);
        assertThat(r.render()).contains("(and 1 more)", "verify: FAILED");
    }

    @Test
    void aTornLastLineIsAViolation() throws IOException {
        final VerifyResult r = verify(file("torn.txt", T + "\n" + (T + 1)));
        assertThat(r.ok()).isFalse();
        assertThat(r.firstViolation()).isEqualTo("line 2: the last line has no newline (torn write)");
    }

    @Test
    void aLineThatIsNotATimestampIsAViolation() throws IOException {
        for (String bad : List.of("abc", "", " 1", "12345678901234567890", "9999999999999999999")) {
            final VerifyResult r = verify(file("bad.txt", T + "\n" + bad + "\n" + (T + 1) + "\n"));
            assertThat(r.firstViolation()).as(bad).isEqualTo("line 2: not a timestamp (1 to 19 digits)");
        }
    }

    @Test
    void expectedTimestampsMustBeInTheFileOrTheLateFile() throws IOException {
        final Path out = file("out.txt", T + "\n" + (T + 2) + "\n" + (T + 4) + "\n");
        final Path sent = file("sent.txt", (T + 4) + "\n" + T + "\n" + (T + 2) + "\n" + T + "\n");
        assertThat(verify(out, sent).ok()).isTrue();

        final Path more = file("more.txt", (T + 1) + "\n" + (T + 3) + "\n");
        VerifyResult r = verify(out, sent, more);
        assertThat(r.ok()).isFalse();
        assertThat(r.missing()).isEqualTo(2);
        assertThat(r.firstMissing()).isEqualTo(T + 1);
        assertThat(r.render()).contains("3 of 5 expected timestamps present", "the first is " + (T + 1));

        file("out.txt.late", (T + 3) + "\n" + (T + 1) + "\n");
        r = verify(out, sent, more);
        assertThat(r.ok()).isTrue();
        assertThat(r.lateLines()).isEqualTo(2);
    }

    @Test
    void expectedTimestampsSpreadOverYearsStillWork() throws IOException {
        final long far = T + 40L * 24 * 3600 * 1000; // too wide for the bitmap: the sorted fallback
        final Path out = file("out.txt", T + "\n" + far + "\n");
        assertThat(verify(out, file("sent.txt", far + "\n" + T + "\n")).ok()).isTrue();
        final VerifyResult r = verify(out, file("sent2.txt", far + "\n" + (T + 1) + "\n"));
        assertThat(r.missing()).isEqualTo(1);
        assertThat(r.firstMissing()).isEqualTo(T + 1);
    }

    @Test
    void anUnreadableInputIsAnErrorNotAViolation() throws IOException {
        assertThatThrownBy(() -> verify(dir.resolve("nope.txt"))).isInstanceOf(VerifyException.class)
                .hasMessageContaining("no such file");
        final Path out = file("out.txt", T + "\n");
        assertThatThrownBy(() -> verify(out, file("sent.txt", "hello\n"))).isInstanceOf(VerifyException.class)
                .hasMessageContaining("line 1 is not a timestamp");
    }

    @Test
    void aLargeFileStreamsAcrossBufferBoundaries() throws IOException {
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < 300_000; i++) {
            b.append(T + i * 3L).append('\n');
        }
        final VerifyResult r = verify(file("big.txt", b.toString()));
        assertThat(r.ok()).isTrue();
        assertThat(r.lines()).isEqualTo(300_000);
        assertThat(r.last()).isEqualTo(T + 299_999 * 3L);
    }
}
