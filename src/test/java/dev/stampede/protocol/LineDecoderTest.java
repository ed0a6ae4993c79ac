package dev.stampede.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LineDecoderTest {
    private static final long NOW = 1_750_000_000_000L;
    private static final SkewCheck SKEW = new SkewCheck(5 * 60_000);

    /** A stream mixing every kind of line, valid and not. */
    private static final String MIXED = NOW + "\n"
            + (NOW + 1) + "\r\n"
            + "\n"
            + "-5\n"
            + "+" + NOW + "\n"
            + NOW + " \n"
            + "12.5\n"
            + "abc\n"
            + "12345678901234567890\n"
            + "9999999999999999999\n"
            + (NOW / 1000) + "\n"
            + (NOW * 1000) + "\n"
            + (NOW * 1_000_000) + "\n"
            + "1\n"
            + "12\r3\n"
            + (NOW + 2) + "\n";

    private static final List<String> MIXED_EVENTS = List.of(
            "v:" + NOW,
            "v:" + (NOW + 1),
            "r:3:EMPTY_LINE",
            "r:4:SIGN",
            "r:5:SIGN",
            "r:6:WHITESPACE",
            "r:7:FRACTION",
            "r:8:NOT_A_NUMBER",
            "r:9:TOO_MANY_DIGITS",
            "r:10:OVERFLOW",
            "r:11:SKEW_SECONDS",
            "r:12:SKEW_MICROS",
            "r:13:SKEW_NANOS",
            "r:14:SKEW",
            "r:15:NOT_A_NUMBER",
            "v:" + (NOW + 2));

    private static LineDecoder decoder() {
        return new LineDecoder(SKEW, 100);
    }

    private static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void decodesEveryKindOfLineInOneRead() {
        final RecordingHandler h = new RecordingHandler();
        final ByteBuffer in = bytes(MIXED);
        assertThat(decoder().decode(in, NOW, h)).isFalse();
        assertThat(h.events).containsExactlyElementsOf(MIXED_EVENTS);
        assertThat(in.hasRemaining()).isFalse();
    }

    @Test
    void splitAtEveryByteBoundaryGivesTheSameLines() {
        final byte[] all = MIXED.getBytes(StandardCharsets.US_ASCII);
        for (int cut = 0; cut <= all.length; cut++) {
            final LineDecoder d = decoder();
            final RecordingHandler h = new RecordingHandler();
            d.decode(ByteBuffer.wrap(all, 0, cut), NOW, h);
            d.decode(ByteBuffer.wrap(all, cut, all.length - cut), NOW, h);
            assertThat(h.events).as("split at byte %d", cut).containsExactlyElementsOf(MIXED_EVENTS);
        }
    }

    @Test
    void oneByteAtATimeGivesTheSameLines() {
        final LineDecoder d = decoder();
        final RecordingHandler h = new RecordingHandler();
        for (byte b : MIXED.getBytes(StandardCharsets.US_ASCII)) {
            d.decode(ByteBuffer.wrap(new byte[] {b}), NOW, h);
        }
        assertThat(h.events).containsExactlyElementsOf(MIXED_EVENTS);
    }

    @Test
    void decodesFromADirectBufferAtItsPosition() {
        final ByteBuffer direct = ByteBuffer.allocateDirect(64);
        direct.put(("xx" + NOW + "\n").getBytes(StandardCharsets.US_ASCII)).flip().position(2);
        final RecordingHandler h = new RecordingHandler();
        decoder().decode(direct, NOW, h);
        assertThat(h.events).containsExactly("v:" + NOW);
        assertThat(direct.position()).isEqualTo(direct.limit());
    }

    @ParameterizedTest
    @CsvSource({
        "9223372036854775807, OVERFLOW_OR_SKEW",
        "9223372036854775808, OVERFLOW",
        "18446744073709551615, TOO_MANY_DIGITS",
    })
    void largestNumbers(String line, String expected) {
        final RecordingHandler h = new RecordingHandler();
        new LineDecoder(new SkewCheck(0), 100).decode(bytes(line + "\n"), NOW, h);
        if (expected.equals("OVERFLOW_OR_SKEW")) {
            assertThat(h.events).containsExactly("v:9223372036854775807"); // skew check off: the max is valid
        } else {
            assertThat(h.events).containsExactly("r:1:" + expected);
        }
    }

    @Test
    void finalLineWithoutNewlineCountsAtOrderlyEnd() {
        final LineDecoder d = decoder();
        final RecordingHandler h = new RecordingHandler();
        d.decode(bytes(NOW + "\n" + (NOW + 5)), NOW, h);
        assertThat(h.events).containsExactly("v:" + NOW);
        assertThat(d.hasPartialLine()).isTrue();
        d.finish(NOW, h);
        assertThat(h.events).containsExactly("v:" + NOW, "v:" + (NOW + 5));
        assertThat(d.lineCount()).isEqualTo(2);
    }

    @Test
    void finishWithNothingPendingReportsNothing() {
        final LineDecoder d = decoder();
        final RecordingHandler h = new RecordingHandler();
        d.decode(bytes(NOW + "\n"), NOW, h);
        assertThat(d.finish(NOW, h)).isFalse();
        assertThat(h.events).containsExactly("v:" + NOW);
    }

    @Test
    void lineLongerThan64BytesClosesAndKeepsEarlierLines() {
        final LineDecoder d = decoder();
        final RecordingHandler h = new RecordingHandler();
        final ByteBuffer in = bytes(NOW + "\n" + "7".repeat(LineDecoder.MAX_LINE_BYTES + 1) + "\n" + NOW + "\n");
        assertThat(d.decode(in, NOW, h)).isTrue();
        assertThat(h.events).containsExactly("v:" + NOW, "r:2:LINE_TOO_LONG");
        assertThat(d.isClosed()).isTrue();
        // Once closed, nothing more is decoded.
        assertThat(d.decode(bytes(NOW + "\n"), NOW, h)).isTrue();
        assertThat(h.events).hasSize(2);
    }

    @Test
    void sixtyFourByteLineIsStillALine() {
        final RecordingHandler h = new RecordingHandler();
        final LineDecoder d = decoder();
        assertThat(d.decode(bytes("0".repeat(LineDecoder.MAX_LINE_BYTES) + "\n"), NOW, h)).isFalse();
        assertThat(h.events).containsExactly("r:1:TOO_MANY_DIGITS");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'1764086400,123'   | FRACTION",
        "'1764086400.123'   | FRACTION",
        "'1764086400\t123'  | WHITESPACE",
        "'\t1764086400123'  | WHITESPACE",
        "'1764086400 123'   | WHITESPACE",
    })
    void commaAndTabHaveTheirOwnReasons(String line, Reject expected) {
        final RecordingHandler h = new RecordingHandler();
        assertThat(decoder().decode(bytes(line + "\n" + NOW + "\n"), NOW, h)).isFalse();
        assertThat(h.events).containsExactly("r:1:" + expected, "v:" + NOW);
    }

    @Test
    void theSixtyFifthByteWithoutNewlineCloses() {
        final LineDecoder d = decoder();
        final RecordingHandler h = new RecordingHandler();
        // 64 bytes of an unfinished line: still open, nothing reported yet.
        assertThat(d.decode(bytes("5".repeat(LineDecoder.MAX_LINE_BYTES)), NOW, h)).isFalse();
        assertThat(h.events).isEmpty();
        assertThat(d.isClosed()).isFalse();
        // The 65th byte that is not a newline closes, with the unfinished line's number.
        final ByteBuffer next = bytes("5" + NOW + "\n");
        assertThat(d.decode(next, NOW, h)).isTrue();
        assertThat(h.events).containsExactly("r:1:LINE_TOO_LONG");
        assertThat(next.position()).as("stops right after the 65th byte").isEqualTo(1);
    }

    @Test
    void aCarriageReturnCountsTowardsTheSixtyFourBytes() {
        final RecordingHandler h = new RecordingHandler();
        assertThat(decoder().decode(bytes("0".repeat(LineDecoder.MAX_LINE_BYTES) + "\r\n"), NOW, h)).isTrue();
        assertThat(h.events).containsExactly("r:1:LINE_TOO_LONG");
    }

    @Test
    void tooManyErrorsCloses() {
        final LineDecoder d = new LineDecoder(SKEW, 3);
        final RecordingHandler h = new RecordingHandler();
        final boolean closed = d.decode(bytes("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + NOW + "\n"), NOW, h);
        assertThat(closed).isTrue();
        assertThat(h.events).containsExactly("r:1:NOT_A_NUMBER", "r:2:NOT_A_NUMBER", "r:3:EMPTY_LINE",
                "r:3:TOO_MANY_ERRORS");
        assertThat(d.errorCount()).isEqualTo(3);
    }

    @Test
    void binaryWithoutNewlinesClosesAsTooLong() {
        final byte[] tlsHello = new byte[200];
        for (int i = 0; i < tlsHello.length; i++) {
            tlsHello[i] = (byte) (0x16 + i * 7);
        }
        tlsHello[100] = '\n'; // a newline far in, after the limit
        final RecordingHandler h = new RecordingHandler();
        assertThat(decoder().decode(ByteBuffer.wrap(tlsHello), NOW, h)).isTrue();
        assertThat(h.events).containsExactly("r:1:LINE_TOO_LONG");
    }

    @Test
    void rejectReasonsHaveWireTexts() {
        for (Reject r : Reject.values()) {
            final ByteBuffer out = ByteBuffer.allocate(ErrReply.MAX_BYTES);
            ErrReply.put(out, 12, r);
            final String line = new String(out.array(), 0, out.position(), StandardCharsets.US_ASCII);
            assertThat(line).startsWith("ERR 12 ").endsWith("\n").hasSize(ErrReply.length(12, r));
            assertThat(line.contains("; closing")).isEqualTo(r.closesConnection());
        }
    }

    @Test
    void theAckOpenerOnTheFirstLineAsksForAcknowledgementsSplitAtEveryByte() {
        final String in = "ACKS 1\r\n" + NOW + "\n" + "ACKS 1\n";
        final byte[] all = in.getBytes(StandardCharsets.US_ASCII);
        for (int cut = 0; cut <= all.length; cut++) {
            final LineDecoder d = decoder();
            final RecordingHandler h = new RecordingHandler();
            d.decode(ByteBuffer.wrap(all, 0, cut), NOW, h);
            d.decode(ByteBuffer.wrap(all, cut, all.length - cut), NOW, h);
            assertThat(h.events).as("split at byte %d", cut)
                    .containsExactly("acks:1", "v:" + NOW, "r:3:NOT_A_NUMBER");
            assertThat(d.errorCount()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @CsvSource({"ACKS 2", "'ACKS 1 '", "ACKS", "acks 1", "ACKS 11", "' ACKS 1'"})
    void anythingElseOnTheFirstLineIsABadLine(String line) {
        final RecordingHandler h = new RecordingHandler();
        decoder().decode(bytes(line + "\n"), NOW, h);
        assertThat(h.events).hasSize(1).allMatch(e -> e.startsWith("r:1:"));
    }

    @Test
    void theOpenerWithACarriageReturnInsideIsABadLine() {
        final RecordingHandler h = new RecordingHandler();
        decoder().decode(bytes("ACKS 1\r\r\n"), NOW, h);
        assertThat(h.events).containsExactly("r:1:NOT_A_NUMBER");
    }
}
