package dev.stampede.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test-only server over plain blocking loopback sockets that speaks the acknowledgement side of
 * the protocol as a test wants it: it reads every line of every connection (kept, per connection,
 * in order) and, per its {@link Mode}, acknowledges them ({@code ACK <lines read>} at least every
 * 200 ms, capped by {@link #ackAtMost}), goes silent while still reading (a frozen host), or
 * refuses the opener with {@code ERR 1} like a server without acknowledgements. It may close a
 * connection once it has read a given number of lines. A thread per connection: fine for a few.
 */
final class AckingServer implements AutoCloseable {
    /** How the server answers. */
    enum Mode {
        /** {@code ACK <n>} for the lines read, at least every 200 ms. */
        ACK,
        /** Reads, never answers. */
        SILENT,
        /** {@code ERR 1 not a decimal number} to the opener, nothing else. */
        REFUSE
    }

    private static final long HEARTBEAT_MS = 200;

    private final ServerSocket listener;
    private final List<List<String>> connections = new CopyOnWriteArrayList<>();
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile Mode mode;
    private volatile long ackAtMost = Long.MAX_VALUE;
    private volatile int closeAfterLines = -1;

    AckingServer(Mode mode) throws IOException {
        this.mode = mode;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread t = new Thread(this::acceptLoop, "acking-server");
        t.setDaemon(true);
        t.start();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort());
    }

    /** From now on, answer so. */
    void mode(Mode m) {
        mode = m;
    }

    /** Acknowledge no line beyond {@code line} (of any connection). */
    void ackAtMost(long line) {
        ackAtMost = line;
    }

    /** Close the next connection that reaches {@code lines} lines read (once). */
    void closeAfterLines(int lines) {
        closeAfterLines = lines;
    }

    /** The lines read on connection {@code i} (in the order accepted), a copy. */
    List<String> lines(int i) {
        return new ArrayList<>(connections.get(i));
    }

    /** Connections accepted. */
    int accepted() {
        return connections.size();
    }

    /** Every line read on every connection. */
    List<String> allLines() {
        final List<String> out = new ArrayList<>();
        connections.forEach(out::addAll);
        return out;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : open) {
            s.close();
        }
    }

    private void acceptLoop() {
        try {
            while (true) {
                final Socket s = listener.accept();
                final List<String> lines = new CopyOnWriteArrayList<>();
                connections.add(lines);
                open.add(s);
                final Thread t = new Thread(() -> serve(s, lines), "acking-server-conn");
                t.setDaemon(true);
                t.start();
            }
        } catch (IOException e) {
            // closed: the test is over
        }
    }

    private void serve(Socket s, List<String> lines) {
        try (s) {
            s.setSoTimeout(50);
            final InputStream in = s.getInputStream();
            final OutputStream out = s.getOutputStream();
            final byte[] buf = new byte[8192];
            final StringBuilder partial = new StringBuilder();
            long lastAnswerMs = 0;
            long lastAcked = -1;
            boolean refused = false;
            while (true) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    n = 0;
                }
                if (n < 0) {
                    return;
                }
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines.add(partial.toString());
                        partial.setLength(0);
                    } else {
                        partial.append((char) buf[i]);
                    }
                }
                final int close = closeAfterLines;
                if (close > 0 && lines.size() >= close) {
                    closeAfterLines = -1;
                    if (mode == Mode.ACK) {
                        out.write(("ACK " + Math.min(close, ackAtMost) + "\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    return;
                }
                final long now = System.currentTimeMillis();
                final Mode m = mode;
                if (m == Mode.ACK && !lines.isEmpty()) {
                    final long acked = Math.min(lines.size(), ackAtMost);
                    if (acked != lastAcked || now - lastAnswerMs >= HEARTBEAT_MS) {
                        out.write(("ACK " + acked + "\n").getBytes(StandardCharsets.US_ASCII));
                        lastAcked = acked;
                        lastAnswerMs = now;
                    }
                } else if (m == Mode.REFUSE && !refused && !lines.isEmpty()) {
                    refused = true;
                    if (lines.get(0).equals("ACKS 1")) {
                        out.write("ERR 1 not a decimal number\n".getBytes(StandardCharsets.US_ASCII));
                    }
                }
            }
        } catch (IOException e) {
            // the client went away, or the test closed the server
        }
    }
}
