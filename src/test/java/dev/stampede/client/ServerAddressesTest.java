package dev.stampede.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --host HOST[:PORT][,HOST[:PORT]...]}: the syntax, without name lookups; literals resolved. */
class ServerAddressesTest {
    @Test
    void namesWithPortsKeepTheirOrderAndAreNotLookedUp() {
        final List<InetSocketAddress> a = ServerAddresses.parse("a:1,b:2", 5050);
        assertThat(a).extracting(InetSocketAddress::getHostString).containsExactly("a", "b");
        assertThat(a).extracting(InetSocketAddress::getPort).containsExactly(1, 2);
        assertThat(a).allMatch(InetSocketAddress::isUnresolved);
    }

    @Test
    void aHostWithoutAPortTakesTheDefaultPort() {
        final List<InetSocketAddress> a = ServerAddresses.parse("127.0.0.1", 5050);
        assertThat(a).containsExactly(InetSocketAddress.createUnresolved("127.0.0.1", 5050));
        assertThat(ServerAddresses.parse(" x , y:7 ", 9)).extracting(InetSocketAddress::getPort).containsExactly(9, 7);
    }

    @Test
    void ipv6LiteralsTakeAPortInBracketsOrTheDefaultBare() throws Exception {
        assertThat(ServerAddresses.parse("[::1]:5051", 5050))
                .containsExactly(InetSocketAddress.createUnresolved("::1", 5051));
        assertThat(ServerAddresses.parse("[::1],::1", 5050)).extracting(InetSocketAddress::getPort)
                .containsExactly(5050, 5050);
        final List<InetSocketAddress> r = ServerAddresses.resolve(ServerAddresses.parse("[::1]:5051,127.0.0.1", 5050));
        assertThat(r).containsExactly(new InetSocketAddress(InetAddress.getByName("::1"), 5051),
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5050));
        assertThat(ServerAddresses.format(r)).isEqualTo("[0:0:0:0:0:0:0:1]:5051,127.0.0.1:5050");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "''|an empty entry",
        "a,,b|an empty entry",
        "a,|an empty entry",
        "a:|the port must be a number 1 to 65535",
        "a:x|the port must be a number 1 to 65535",
        "a:0|the port must be a number 1 to 65535",
        "a:65536|the port must be a number 1 to 65535",
        "a:-1|the port must be a number 1 to 65535",
        ":5050|no host",
        "[::1|no closing ']'",
        "[::1]5050|expected ':PORT' after ']'",
        "[127.0.0.1]:5050|brackets are for IPv6 literals",
        "a b:1|not a host name or address",
    })
    void badEntriesAreRefusedWithTheEntryAndWhatIsWrong(String spec, String message) {
        assertThatThrownBy(() -> ServerAddresses.parse(spec, 5050))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("--host '")
                .hasMessageContaining(message);
    }

    @Test
    void theSameServerTwiceIsRefused() {
        assertThatThrownBy(() -> ServerAddresses.resolve(ServerAddresses.parse("127.0.0.1:5050,127.0.0.1", 5050)))
                .hasMessage("--host lists 127.0.0.1:5050 twice");
    }
}
