package dev.stampede.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** A plain blocking test client for the line protocol: send lines, read ERR replies. */
public final class LineClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final BufferedReader in;

    /** Connects to 127.0.0.1:port. */
    public LineClient(int port) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(5_000);
        out = socket.getOutputStream();
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
    }

    /** Sends raw text as is. */
    public LineClient sendRaw(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    /** Sends raw bytes as they are. */
    public LineClient sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Sends each value as a line. */
    public LineClient send(long... values) throws IOException {
        final StringBuilder b = new StringBuilder();
        for (long v : values) {
            b.append(v).append('\n');
        }
        return sendRaw(b.toString());
    }

    /** How long a read waits before it fails (5 s unless changed). */
    public void soTimeout(int ms) throws IOException {
        socket.setSoTimeout(ms);
    }

    /** The next line from the server, or {@code null} at end of stream; fails after 5 s. */
    public String readLine() throws IOException {
        return in.readLine();
    }

    /** True if the server has closed the connection (end of stream or reset) within 5 s. */
    public boolean awaitClosedByServer() throws IOException {
        try {
            while (true) {
                if (in.readLine() == null) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    /** Half-closes: an orderly end of stream for the server, which may still reply. */
    public void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
