package dev.stampede.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AckReplyTest {
    @Test
    void encodesAndParsesBack() {
        for (long n : new long[] {0, 1, 9, 10, 12_345, 999_999_999_999_999_999L}) {
            final ByteBuffer b = ByteBuffer.allocate(AckReply.MAX_BYTES);
            AckReply.put(b, n);
            assertThat(b.position()).isEqualTo(AckReply.length(n));
            final String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII);
            assertThat(s).isEqualTo("ACK " + n + "\n");
            assertThat(AckReply.parse(b.array(), b.position() - 1)).isEqualTo(n);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"ERR 1 not a decimal number", "ACK", "ACK ", "ACK x", "ACK -1", "ACK 1 2", "ack 1",
        "ACK 1234567890123456789"})
    void anythingElseIsNotAnAck(String line) {
        final byte[] b = line.getBytes(StandardCharsets.US_ASCII);
        assertThat(AckReply.parse(b, b.length)).isEqualTo(AckReply.NOT_AN_ACK);
    }

    @Test
    void aCarriageReturnBeforeTheNewlineIsAllowed() {
        final byte[] b = "ACK 42\r".getBytes(StandardCharsets.US_ASCII);
        assertThat(AckReply.parse(b, b.length)).isEqualTo(42);
    }
}
