package dev.stampede.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link LineDecoder} with Jazzer: arbitrary bytes, cut into arbitrary
 * reads, against a simple line-by-line model of protocol v1.
 *
 * <p>{@code mvn verify} runs it in regression mode over the seeds in
 * {@code src/test/resources/dev/stampede/protocol/LineDecoderFuzzTestInputs/decode/} (and the
 * empty input). To fuzz for real (two minutes; findings are added to that directory, the corpus
 * Jazzer grows goes to {@code .cifuzz-corpus/}):
 *
 * <pre>JAZZER_FUZZ=1 mvn test -Dtest=LineDecoderFuzzTest</pre>
 *
 * <p>Input layout, for writing seeds: the line bytes, then {@value #CONTROL_BYTES} control bytes
 * at the end (read backwards by {@link FuzzedDataProvider}): the error budget, the skew setting,
 * then the sizes of the reads the input is cut into.
 */
class LineDecoderFuzzTest {
    private static final long NOW = 1_764_086_400_000L;
    private static final long[] SKEWS = {0, 5 * 60_000L, 1, 365L * 24 * 3600 * 1000};
    private static final int CHUNK_SIZES = 6;
    static final int CONTROL_BYTES = 2 + CHUNK_SIZES;

    /** One thing the decoder reported; {@code line} is the decoder's line count for a value. */
    private record Event(long line, long value, Reject reason) {
        boolean isValue() {
            return reason == null;
        }
    }

    /** Records events, and the decoder's own line count when a value comes. */
    private static final class Recorder implements LineHandler {
        final List<Event> events = new ArrayList<>();
        LineDecoder decoder;

        @Override
        public void onValue(long epochMillis) {
            events.add(new Event(decoder.lineCount(), epochMillis, null));
        }

        @Override
        public void onReject(long lineNumber, Reject reason) {
            events.add(new Event(lineNumber, -1, reason));
        }
    }

    @FuzzTest(maxDuration = "2m")
    void decode(FuzzedDataProvider data) {
        final int maxErrors = data.consumeInt(1, 12);
        final SkewCheck skew = new SkewCheck(SKEWS[data.consumeInt(0, SKEWS.length - 1)]);
        final int[] chunks = new int[CHUNK_SIZES];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = data.consumeInt(0, 70);
        }
        final byte[] input = data.consumeRemainingAsBytes();

        final Recorder whole = run(input, new int[] {input.length}, skew, maxErrors);
        final Recorder split = run(input, chunks, skew, maxErrors);
        assertThat(split.events).as("the same events whatever the reads").isEqualTo(whole.events);
        assertThat(split.decoder.lineCount()).isEqualTo(whole.decoder.lineCount());
        assertThat(split.decoder.errorCount()).isEqualTo(whole.decoder.errorCount());
        assertThat(split.decoder.isClosed()).isEqualTo(whole.decoder.isClosed());

        checkInvariants(whole.events, skew);
        assertThat(whole.events).as("the events of the line model").isEqualTo(model(input, skew, maxErrors, whole.events));
    }

    /** Feeds {@code input} in reads of the given sizes (cycled; 0 is an empty read), then ends the stream. */
    private static Recorder run(byte[] input, int[] chunks, SkewCheck skew, int maxErrors) {
        final int[] sizes = allZero(chunks) ? new int[] {0, input.length} : chunks;
        final Recorder r = new Recorder();
        r.decoder = new LineDecoder(skew, maxErrors);
        boolean closed = false;
        int at = 0;
        for (int k = 0; at < input.length; k++) {
            final int n = Math.min(sizes[k % sizes.length], input.length - at);
            final ByteBuffer read = ByteBuffer.wrap(input, at, n);
            final int before = r.events.size();
            final boolean closes = r.decoder.decode(read, NOW, r);
            assertThat(read.hasRemaining() && !closes).as("consumes all of a read unless it closes").isFalse();
            if (closed) {
                assertThat(closes).isTrue();
                assertThat(r.events).as("nothing after closing").hasSize(before);
            }
            closed |= closes;
            at += n;
        }
        final int before = r.events.size();
        final boolean closedAtEnd = r.decoder.finish(NOW, r);
        if (closed) {
            assertThat(closedAtEnd).isTrue();
            assertThat(r.events).as("nothing after closing").hasSize(before);
        }
        return r;
    }

    private static boolean allZero(int[] a) {
        return Arrays.stream(a).allMatch(x -> x == 0);
    }

    private static void checkInvariants(List<Event> events, SkewCheck skew) {
        long lastLine = 0;
        for (int i = 0; i < events.size(); i++) {
            final Event e = events.get(i);
            if (e.reason() == Reject.TOO_MANY_ERRORS) {
                assertThat(i).isPositive();
                assertThat(events.get(i - 1).isValue()).isFalse();
                assertThat(e.line()).as("the budget reject follows the line's own").isEqualTo(lastLine);
            } else {
                assertThat(e.line()).as("line numbers increase").isGreaterThan(lastLine);
            }
            lastLine = e.line();
            if (e.isValue()) {
                assertThat(e.value()).isNotNegative();
                assertThat(skew.check(e.value(), NOW)).isNull();
            }
            if (!e.isValue() && e.reason().closesConnection()) {
                assertThat(i).as("nothing after a closing reject").isEqualTo(events.size() - 1);
            }
        }
    }

    /**
     * What protocol v1 says the events are, line by line: a value where the line (less one
     * {@code \r} before the {@code \n}) is 1 to 19 digits within a long and the skew, else a
     * reject. Reject reasons other than closing ones are taken from {@code actual} (the model
     * checks that one came, not which).
     */
    private static List<Event> model(byte[] input, SkewCheck skew, int maxErrors, List<Event> actual) {
        final List<Event> out = new ArrayList<>();
        int errors = 0;
        long line = 0;
        int start = 0;
        while (start < input.length) {
            int end = start;
            while (end < input.length && input[end] != '\n' && end - start <= LineDecoder.MAX_LINE_BYTES) {
                end++;
            }
            line++;
            if (end - start > LineDecoder.MAX_LINE_BYTES) {
                out.add(new Event(line, -1, Reject.LINE_TOO_LONG));
                return out;
            }
            int digitsEnd = end;
            if (digitsEnd > start && input[digitsEnd - 1] == '\r') {
                digitsEnd--; // "\r\n", or a last line ending in "\r" at the end of the stream
            }
            final long v = referenceParse(input, start, digitsEnd);
            if (v >= 0 && skew.check(v, NOW) == null) {
                out.add(new Event(line, v, null));
            } else {
                final int i = out.size();
                final Reject reason = i < actual.size() && !actual.get(i).isValue() ? actual.get(i).reason() : null;
                assertThat(reason).as("line %d is rejected", line).isNotNull();
                assertThat(reason.closesConnection()).as("with a reason about the line").isFalse();
                out.add(new Event(line, -1, reason));
                if (++errors >= maxErrors) {
                    out.add(new Event(line, -1, Reject.TOO_MANY_ERRORS));
                    return out;
                }
            }
            start = end + 1;
        }
        return out;
    }

    /** The obvious way, independent of the codec: 1 to 19 ASCII digits that Long.parseLong takes. */
    private static long referenceParse(byte[] b, int from, int to) {
        if (to - from < 1 || to - from > 19) {
            return -1;
        }
        for (int i = from; i < to; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return -1;
            }
        }
        try {
            return Long.parseLong(new String(b, from, to - from, java.nio.charset.StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
