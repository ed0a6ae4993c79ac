package dev.stampede.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SkewCheckTest {
    private static final long NOW = 1_750_000_000_000L;
    private final SkewCheck check = new SkewCheck(300_000);

    @Test
    void acceptsWithinTheSkew() {
        assertThat(check.check(NOW, NOW)).isNull();
        assertThat(check.check(NOW - 300_000, NOW)).isNull();
        assertThat(check.check(NOW + 300_000, NOW)).isNull();
    }

    @Test
    void namesTheUnitAValueLooksLike() {
        assertThat(check.check(NOW / 1000, NOW)).isEqualTo(Reject.SKEW_SECONDS);
        assertThat(check.check(NOW * 1000 + 123, NOW)).isEqualTo(Reject.SKEW_MICROS);
        assertThat(check.check(NOW * 1_000_000 + 123_456, NOW)).isEqualTo(Reject.SKEW_NANOS);
    }

    @Test
    void justOutsideTheSkewIsPlainSkew() {
        assertThat(check.check(NOW + 300_001, NOW)).isEqualTo(Reject.SKEW);
        assertThat(check.check(NOW - 3_600_000, NOW)).isEqualTo(Reject.SKEW);
        assertThat(check.check(0, NOW)).isEqualTo(Reject.SKEW);
        assertThat(check.check(Long.MAX_VALUE, NOW)).isEqualTo(Reject.SKEW);
    }

    @Test
    void zeroDisablesTheCheck() {
        assertThat(new SkewCheck(0).check(1, NOW)).isNull();
    }
}
