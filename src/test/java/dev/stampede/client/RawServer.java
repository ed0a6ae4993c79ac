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
    private final List<InetSocketAddress> peers = new CopyOnWriteArrayList<>();
    private final int readers;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Thread acceptor;

    RawServer(String greeting, boolean closeAfterGreeting) throws IOException {
        this(greeting, closeAfterGreeting, Integer.MAX_VALUE, 0);
    }

    /**
     * @param readers how many connections (the first ones) are read; the others are never read
     * @param receiveBuffer SO_RCVBUF for accepted sockets (0: the OS default); small fills up fast
     */
    RawServer(String greeting, boolean closeAfterGreeting, int readers, int receiveBuffer) throws IOException {
        this.greeting = greeting.getBytes(StandardCharsets.US_ASCII);
        this.closeAfterGreeting = closeAfterGreeting;
        this.readers = readers;
        this.listener = ServerSocketChannel.open();
        if (receiveBuffer > 0) {
            listener.setOption(java.net.StandardSocketOptions.SO_RCVBUF, receiveBuffer);
        }
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

    /** The clients' addresses, in the order they connected. */
    List<InetSocketAddress> peers() {
        return peers;
    }

    private void acceptLoop() {
        try {
            while (true) {
                final SocketChannel ch = listener.accept();
                final boolean read = accepted.incrementAndGet() <= readers;
                open.add(ch);
                peers.add((InetSocketAddress) ch.getRemoteAddress());
                final Thread t = new Thread(() -> serve(ch, read), "raw-server-conn");
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException e) {
            // closed: the test is over
        }
    }

    private void serve(SocketChannel ch, boolean read) {
        try (ch) {
            ch.write(ByteBuffer.wrap(greeting));
            if (closeAfterGreeting) {
                return;
            }
            if (!read) {
                Thread.sleep(Long.MAX_VALUE); // hold the socket, never read it (until close())
            }
            final ByteBuffer sink = ByteBuffer.allocate(4096);
            while (ch.read(sink.clear()) >= 0) {
                // discard
            }
        } catch (IOException | InterruptedException e) {
            // the client went away, or the test is over
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
