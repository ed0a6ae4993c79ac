package dev.stampede.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The line number format, read both ways (whole and streaming) and written, at every boundary. */
class AsciiTest {

    /** parse() of the whole text, placed at an offset inside a larger buffer. */
    private static long parse(String text) {
        final byte[] bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        final ByteBuffer b = ByteBuffer.allocate(bytes.length + 6);
        b.put(new byte[] {'7', '7', '7'}).put(bytes).put(new byte[] {'7', '7', '7'});
        b.position(1); // parse uses absolute indices: the position does not matter
        final long v = Ascii.parse(b, 3, 3 + bytes.length);
        assertThat(b.position()).isEqualTo(1);
        return v;
    }

    /** The streaming rule, as a reader that sees one byte at a time applies it. */
    private static long stream(String text) {
        long acc = 0;
        int digits = 0;
        for (byte c : text.getBytes(StandardCharsets.ISO_8859_1)) {
            final int d = Ascii.digit(c);
            if (d < 0 || !Ascii.hasRoom(digits)) {
                return -1;
            }
            acc = Ascii.accumulate(acc, d);
            digits++;
        }
        return Ascii.valueOf(acc, digits);
    }

    @ParameterizedTest
    @CsvSource({
        "0, 0",
        "7, 7",
        "00, 0",
        "0000000000000000001, 1",
        "1764086400000, 1764086400000",
        "999999999999999999, 999999999999999999",
        "1000000000000000000, 1000000000000000000",
        "9223372036854775806, 9223372036854775806",
        "9223372036854775807, 9223372036854775807",
    })
    void readsOneTo19DigitsWithinALong(String text, long expected) {
        assertThat(parse(text)).isEqualTo(expected);
        assertThat(stream(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", // empty
        "9223372036854775808", // Long.MAX_VALUE + 1: 19 digits, wraps to negative
        "9999999999999999999", // the largest 19 digits
        "10000000000000000000", // 20 digits
        "00000000000000000001", // 20 digits, small value: the count decides
        "12345678901234567890123",
        "-1", "+1", " 1", "1 ", "1.5", "1,5", "1\r", "\r", "12a3", "a", "/", ":", "\u00b9", "\u00ff1",
    })
    void rejectsEverythingElse(String text) {
        assertThat(parse(text)).isEqualTo(-1);
        assertThat(stream(text)).isEqualTo(-1);
    }

    @Test
    void digitIsTheValueOfExactlyTheTenDigitBytes() {
        for (int b = Byte.MIN_VALUE; b <= Byte.MAX_VALUE; b++) {
            assertThat(Ascii.digit((byte) b)).isEqualTo(b >= '0' && b <= '9' ? b - '0' : -1);
        }
    }

    @Test
    void theStreamingRuleHasRoomFor19Digits() {
        assertThat(Ascii.MAX_DIGITS).isEqualTo(19);
        assertThat(Ascii.MAX_LINE).isEqualTo(20);
        assertThat(Ascii.hasRoom(0)).isTrue();
        assertThat(Ascii.hasRoom(18)).isTrue();
        assertThat(Ascii.hasRoom(19)).isFalse();
        assertThat(Ascii.valueOf(0, 0)).isEqualTo(-1); // no digits
        assertThat(Ascii.valueOf(0, 1)).isZero();
        assertThat(Ascii.valueOf(Long.MIN_VALUE, 19)).isEqualTo(-1); // Long.MAX_VALUE + 1
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, 9, 10, 99, 100, 1764086400000L, 999_999_999_999_999_999L,
        1_000_000_000_000_000_000L, Long.MAX_VALUE})
    void writesWhatItReads(long v) {
        final ByteBuffer b = ByteBuffer.allocate(2 + Ascii.MAX_LINE);
        b.put((byte) 'x');
        Ascii.putLine(b, v);
        final String text = Long.toString(v);
        assertThat(Ascii.digits(v)).isEqualTo(text.length());
        assertThat(b.position()).isEqualTo(1 + text.length() + 1);
        assertThat(new String(b.array(), 1, text.length() + 1, StandardCharsets.US_ASCII)).isEqualTo(text + "\n");
        assertThat(Ascii.parse(b, 1, 1 + text.length())).isEqualTo(v);
    }

    @Test
    void theLongestLineFitsMaxLine() {
        final ByteBuffer b = ByteBuffer.allocate(Ascii.MAX_LINE);
        Ascii.putLine(b, Long.MAX_VALUE);
        assertThat(b.hasRemaining()).isFalse();
    }

    @Test
    void putDecimalWritesNoNewline() {
        final ByteBuffer b = ByteBuffer.allocate(8);
        Ascii.putDecimal(b, 405);
        assertThat(b.position()).isEqualTo(3);
        assertThat(new String(b.array(), 0, 3, StandardCharsets.US_ASCII)).isEqualTo("405");
    }
}
