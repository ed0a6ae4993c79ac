package dev.stampede.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stampede.stats.ClientStats;
import dev.stampede.stats.ClientStats.Lateness;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Source-address parsing, reply lines, the rate-limited log, the stats lines. */
class SmallPartsTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void sourceAddressesTakeRangesAndLists() throws Exception {
        assertThat(SourceAddresses.parse("127.0.0.1-127.0.0.4")).extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4");
        assertThat(SourceAddresses.parse("127.0.0.9, 127.0.1.254-127.0.2.1")).extracting(InetAddress::getHostAddress)
                .containsExactly("127.0.0.9", "127.0.1.254", "127.0.1.255", "127.0.2.0", "127.0.2.1");
        assertThat(SourceAddresses.parse("::1")).containsExactly(InetAddress.getByName("::1"));
    }

    @Test
    void badSourceAddressesSayWhatIsWrong() {
        assertThatThrownBy(() -> SourceAddresses.parse("127.0.0.4-127.0.0.1")).hasMessageContaining("backwards");
        assertThatThrownBy(() -> SourceAddresses.parse("127.0.0.256")).hasMessageContaining("256 > 255");
        assertThatThrownBy(() -> SourceAddresses.parse("localhost")).hasMessageContaining("not an IP address");
        assertThatThrownBy(() -> SourceAddresses.parse("127.0.0.1,")).hasMessageContaining("empty");
        assertThatThrownBy(() -> SourceAddresses.parse("10.0.0.0-10.1.0.0")).hasMessageContaining("more than");
    }

    @Test
    void replyLinesAreSplitAcrossReadsTruncatedAndMadePrintable() {
        final ReplyReader r = new ReplyReader();
        assertThat(r.next(ascii("ERR 3 not a dec"))).isFalse();
        final ByteBuffer rest = ascii("imal number\nERR 4 empty line\r\n\u0001\u00ff");
        assertThat(r.next(rest)).isTrue();
        assertThat(r.text()).isEqualTo("ERR 3 not a decimal number");
        assertThat(r.next(rest)).isTrue();
        assertThat(r.text()).isEqualTo("ERR 4 empty line");
        assertThat(r.next(rest)).isFalse();
        assertThat(r.next(ascii("x".repeat(500) + "\n"))).isTrue();
        assertThat(r.text()).isEqualTo("??" + "x".repeat(ReplyReader.MAX_KEPT - 2) + "...");
    }

    @Test
    void theRateLimitedLogShowsOneASecondAndCountsTheRest() {
        final List<String> lines = new ArrayList<>();
        final RateLimitedLog log = new RateLimitedLog(lines::add, SECOND, "replies");
        assertThat(log.permit(0)).isTrue();
        log.emit("first");
        for (int i = 1; i <= 5; i++) {
            assertThat(log.permit(i * 100_000_000L)).isFalse();
        }
        assertThat(log.permit(SECOND)).isTrue();
        log.emit("second");
        assertThat(log.permit(SECOND + 1)).isFalse();
        log.finish("client: ");
        assertThat(lines).containsExactly("first", "second (and 5 more replies not shown)",
                "client: 1 more replies not shown");
    }

    @Test
    void theSummaryHasTheKeysScriptsRead() {
        final ClientStats s = new ClientStats(12_000, 10_000, 40, 50, 50, 10_000, 1, 2, 3, 7, 0, 4, 8, 5, 6,
                new Lateness(10, 80, 150, 300), new Lateness(10_000, 81, 151, 301));
        assertThat(s.summaryLine()).startsWith("client: stopped ")
                .contains(" connected=50 ", " target=50 ", " sent=10000 ", " missed=6 ", " late_p50_us=81 ",
                        " late_p99_us=151 ", " late_max_us=301 ", " reconnects=4 ", " failovers=8 ", " errors=6 ",
                        " replayed=7 ", " rate_per_s=1000 ");
        final ClientStats earlier = new ClientStats(11_000, 9_000, 40, 50, 50, 9_000, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                Lateness.NONE, Lateness.NONE);
        // The live line's lateness is one interval's: a key a script reading late_p99_us= never takes.
        assertThat(s.reportLine(earlier))
                .contains(" up=50 target=50 ", " rate_per_s=1000 ", " failovers=8 ",
                        " late_us_p50=80 late_us_p99=150 late_us_max=300 ")
                .doesNotContain("late_p99_us=");
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }
}
