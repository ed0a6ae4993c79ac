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

    // ------------------------------------------------------------ several files, one stream

    private static VerifyResult verifyAll(List<Path> files, Path... expect) throws IOException {
        return new FileVerifier(false, null).verify(files, List.of(expect));
    }

    @Test
    void severalFilesInOrderAreOneStream() throws IOException {
        final Path a = file("t.txt.20261130T230000Z", T + "\n" + (T + 1) + "\n");
        final Path b = file("t.txt.20261201T000000Z", "");
        final Path c = file("t.txt", (T + 2) + "\n" + (T + 9) + "\n" + (T + 10) + "\n");
        final VerifyResult r = verifyAll(List.of(a, b, c));
        assertThat(r.ok()).as(r.render()).isTrue();
        assertThat(r.lines()).isEqualTo(5);
        assertThat(r.first()).isEqualTo(T);
        assertThat(r.last()).isEqualTo(T + 10);
        assertThat(r.parts()).extracting(VerifyResult.Part::lines).containsExactly(2L, 0L, 3L);
        assertThat(r.render()).contains("verify: 3 files, checked as one stream",
                "file      " + a + ": 2 lines", "file      " + b + ": 0 lines", "file      " + c + ": 3 lines",
                "lines     5", "span      0.010 s", "verify: OK");
    }

    @Test
    void oneFileInAListIsReportedAsToday() throws IOException {
        final Path a = file("one.txt", T + "\n" + (T + 1) + "\n");
        assertThat(verifyAll(List.of(a)).render()).isEqualTo(verify(a).render()).startsWith("verify: " + a + "\n");
    }

    @Test
    void aRepeatAcrossABoundaryIsAViolationNamingTheFileAndLine() throws IOException {
        final Path a = file("a.txt", T + "\n" + (T + 5) + "\n");
        final Path b = file("b.txt", (T + 5) + "\n" + (T + 6) + "\n");
        final VerifyResult r = verifyAll(List.of(a, b));
        assertThat(r.ok()).isFalse();
        assertThat(r.violations()).isEqualTo(1);
        assertThat(r.firstViolation()).isEqualTo(b + " line 1: " + (T + 5) + " repeats the last line of " + a);
        assertThat(new FileVerifier(true, null).verify(List.of(a, b), List.of()).ok()).isTrue();
    }

    @Test
    void aStepBackAcrossABoundaryIsAViolation() throws IOException {
        final Path a = file("a.txt", T + "\n" + (T + 5) + "\n");
        final Path empty = file("e.txt", "");
        final Path b = file("b.txt", (T + 7) + "\n");
        final Path c = file("c.txt", (T + 6) + "\n" + (T + 8) + "\n");
        // An empty file in between: the boundary is with the last line before it.
        VerifyResult r = verifyAll(List.of(a, empty, c));
        assertThat(r.ok()).isTrue();
        r = verifyAll(List.of(a, b, c));
        assertThat(r.firstViolation())
                .isEqualTo(c + " line 1: " + (T + 6) + " is below the last line of " + b + " (" + (T + 7) + ")");
        assertThat(r.render()).contains("violation " + c + " line 1:", "verify: FAILED");
        // In the wrong order: the same files fail.
        assertThat(verifyAll(List.of(b, a)).firstViolation()).startsWith(a + " line 1: ");
        // A file given twice repeats itself.
        assertThat(verifyAll(List.of(b, b)).firstViolation()).isEqualTo(b + " line 1: " + (T + 7)
                + " repeats the last line of " + b);
    }

    @Test
    void aTornLastLineOfAMiddleFileIsAViolation() throws IOException {
        final Path a = file("a.txt", T + "\n" + (T + 1));
        final Path b = file("b.txt", (T + 2) + "\n");
        final VerifyResult r = verifyAll(List.of(a, b));
        assertThat(r.ok()).isFalse();
        assertThat(r.firstViolation()).isEqualTo(a + " line 2: the last line has no newline (torn write)");
        assertThat(r.parts()).extracting(VerifyResult.Part::lines).containsExactly(2L, 1L);
    }

    @Test
    void expectLooksInAllTheFilesAndAllTheirLateFiles() throws IOException {
        final Path a = file("t.txt.1", T + "\n" + (T + 2) + "\n");
        final Path b = file("t.txt", (T + 4) + "\n" + (T + 6) + "\n");
        final Path sent = file("sent.txt", (T + 6) + "\n" + T + "\n" + (T + 1) + "\n" + (T + 5) + "\n" + (T + 2) + "\n");
        VerifyResult r = verifyAll(List.of(a, b), sent);
        assertThat(r.missing()).isEqualTo(2);
        assertThat(r.firstMissing()).isEqualTo(T + 1);

        file("t.txt.1.late", (T + 1) + "\n");
        r = verifyAll(List.of(a, b), sent);
        assertThat(r.missing()).isEqualTo(1);
        assertThat(r.firstMissing()).isEqualTo(T + 5);

        file("t.txt.late", (T + 5) + "\n");
        r = verifyAll(List.of(a, b), sent);
        assertThat(r.ok()).as(r.render()).isTrue();
        assertThat(r.lateLines()).isEqualTo(2);
        assertThat(r.parts()).extracting(VerifyResult.Part::lateLines).containsExactly(1L, 1L);
        assertThat(r.render()).contains("late file " + a + ".late: 1 lines", "late      2 lines in 2 late files",
                "5 of 5 expected timestamps present");
    }

    @Test
    void aMissingFileAmongSeveralIsAnError() throws IOException {
        final Path a = file("a.txt", T + "\n");
        assertThatThrownBy(() -> verifyAll(List.of(a, dir.resolve("gone.txt")))).isInstanceOf(VerifyException.class)
                .hasMessageContaining("gone.txt: no such file");
    }

    private Path gz(String name, String content) throws IOException {
        final Path f = dir.resolve(name);
        try (java.io.OutputStream o = new java.util.zip.GZIPOutputStream(Files.newOutputStream(f))) {
            o.write(content.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        return f;
    }

    @Test
    void aGzFileIsReadAsItsLines() throws IOException {
        final VerifyResult r = verify(gz("w.txt.20260101T000000Z.gz", T + "\n" + (T + 1) + "\n"));
        assertThat(r.ok()).as(r.render()).isTrue();
        assertThat(r.render()).contains("2");
    }

    @Test
    void gzAndPlainFilesAreOneStreamAndExpectSeesThem() throws IOException {
        final Path a = gz("w.txt.20260101T000000Z.gz", T + "\n" + (T + 1) + "\n");
        final Path b = file("w.txt", (T + 2) + "\n");
        final Path sent = gz("sent.gz", T + "\n" + (T + 1) + "\n" + (T + 2) + "\n");
        final VerifyResult ok = new FileVerifier(false, null).verify(List.of(a, b), List.of(sent));
        assertThat(ok.ok()).as(ok.render()).isTrue();
        final Path more = file("more.txt", T + "\n" + (T + 1) + "\n" + (T + 2) + "\n" + (T + 3) + "\n");
        final VerifyResult missing = new FileVerifier(false, null).verify(List.of(a, b), List.of(more));
        assertThat(missing.ok()).as("a sent value missing from the .gz stream").isFalse();
        final Path c = gz("w.txt.20251231T000000Z.gz", (T + 5) + "\n");
        final VerifyResult outOfOrder = new FileVerifier(false, null).verify(List.of(c, a, b), List.of());
        assertThat(outOfOrder.ok()).as("order checked across .gz files").isFalse();
    }
}
