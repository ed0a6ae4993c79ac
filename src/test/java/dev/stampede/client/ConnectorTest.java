package dev.stampede.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.client.ClientConnection.State;
import dev.stampede.testing.TestCerts;
import dev.stampede.transport.ClientTls;
import dev.stampede.transport.TlsContexts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * How many connects the {@link Connector} has in flight at once, against a real loopback listener
 * that never accepts (its kernel completes the TCP connects into its backlog; nothing answers a
 * TLS hello): 1,024 plain; with TLS far fewer, since a server takes only a few handshakes at a
 * time and the others would wait while their handshake timeout runs.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectorTest {
    private static final int CONNECTIONS = 1_500;

    @Test
    void plainConnectsInFlightAreBoundedBy1024() throws Exception {
        assertThat(inFlightAfterOnePump(null)).isEqualTo(Connector.MAX_IN_FLIGHT);
    }

    @Test
    void tlsConnectsInFlightAreBoundedBy128() throws Exception {
        final ClientTls tls = TlsContexts.client(TestCerts.file("ca.pem"), TestCerts.file("client.pem"),
                TestCerts.file("client.key"), null, 10_000);
        assertThat(inFlightAfterOnePump(tls)).isEqualTo(Connector.MAX_TLS_IN_FLIGHT).isEqualTo(128);
    }

    /** Starts what one {@link Connector#pump} starts; returns how many are connecting then. */
    private static long inFlightAfterOnePump(ClientTls tls) throws Exception {
        try (ServerSocketChannel listener = ServerSocketChannel.open();
                Selector selector = Selector.open()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), CONNECTIONS);
            final ClientConnection[] connections = new ClientConnection[CONNECTIONS];
            for (int i = 0; i < CONNECTIONS; i++) {
                connections[i] = new ClientConnection(i, new ReplayRing(16, ClientConfig.BACKLOG_VALUES, 50));
            }
            final Connector connector = new Connector(selector,
                    new InetSocketAddress[] {(InetSocketAddress) listener.getLocalAddress()},
                    new InetSocketAddress[0], 0, connections, new ClientCounters(), new Backoff(1), c -> { },
                    line -> { });
            connector.useTls(tls);
            try {
                connector.pump(System.nanoTime());
                return Arrays.stream(connections).filter(c -> c.state == State.CONNECTING).count();
            } finally {
                connector.closeAll();
            }
        }
    }
}
