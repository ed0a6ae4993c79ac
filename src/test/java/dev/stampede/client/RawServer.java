package dev.stampede.client;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test-only server over plain blocking sockets that says what the test wants: on each
 * connection it sends {@code greeting}, then either closes it or reads and discards until the
 * client closes. A thread per connection: fine for a handful.
 */
final class RawServer implements AutoCloseable {
    private final ServerSocketChannel listener;
    private final byte[] greeting;
    private final boolean closeAfterGreeting;
    private final List<SocketChannel> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    RawServer(String greeting, boolean closeAfterGreeting) throws IOException {
        this.greeting = greeting.getBytes(StandardCharsets.US_ASCII);
        this.closeAfterGreeting = closeAfterGreeting;
        this.listener = ServerSocketChannel.open();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        this.acceptor = new Thread(this::acceptLoop, "raw-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() throws IOException {
        return ((InetSocketAddress) listener.getLocalAddress()).getPort();
    }

    int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        try {
            while (true) {
                final SocketChannel ch = listener.accept();
                accepted.incrementAndGet();
                open.add(ch);
                final Thread t = new Thread(() -> serve(ch), "raw-server-conn");
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException e) {
            // closed: the test is over
        }
    }

    private void serve(SocketChannel ch) {
        try (ch) {
            ch.write(ByteBuffer.wrap(greeting));
            if (closeAfterGreeting) {
                return;
            }
            final ByteBuffer sink = ByteBuffer.allocate(4096);
            while (ch.read(sink.clear()) >= 0) {
                // discard
            }
        } catch (IOException e) {
            // the client went away
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (SocketChannel ch : open) {
            ch.close();
        }
    }
}
