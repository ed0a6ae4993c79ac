package dev.stampede.server;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** With Kafka, late lines count as done once durable and in the partition, never before. */
class PublishedLateTest {
    @Test
    void aDurableMarkWaitsForThePartitionToHoldItsBytes() {
        final PublishedLate p = new PublishedLate();
        assertThat(p.advance(Long.MIN_VALUE, 0, Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
        assertThat(p.advance(0, 0, Long.MIN_VALUE)).as("the publisher has not read its partition back")
                .isEqualTo(Long.MIN_VALUE);
        assertThat(p.advance(0, 0, 0)).isZero(); // nothing late, nothing to wait for
        assertThat(p.advance(2, 28, 0)).as("two late lines durable, none published").isZero();
        assertThat(p.advance(3, 42, 27)).isZero();
        assertThat(p.advance(3, 42, 28)).isEqualTo(2);
        assertThat(p.advance(3, 42, 1_000)).isEqualTo(3);
    }

    @Test
    void pastItsBoundTheNewestMarkIsReplacedSoItOnlyWaitsLonger() {
        final PublishedLate p = new PublishedLate();
        for (int mark = 1; mark <= PublishedLate.PENDING + 10; mark++) {
            p.advance(mark, 10L * mark, Long.MIN_VALUE);
        }
        assertThat(p.advance(PublishedLate.PENDING + 10, 10L * (PublishedLate.PENDING + 10), 10L * PublishedLate.PENDING))
                .as("marks up to the last kept one before the replaced newest").isEqualTo(PublishedLate.PENDING - 1);
        assertThat(p.advance(PublishedLate.PENDING + 10, 0, 10L * (PublishedLate.PENDING + 10)))
                .isEqualTo(PublishedLate.PENDING + 10);
    }
}
