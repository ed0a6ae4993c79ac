package dev.stampede.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Plain-socket clients from the test: {@code n} connections to 127.0.0.1:port that each send the
 * current time every {@code intervalMs} (on one thread, fixed rate), recording every value sent so
 * that {@code verify --expect} can prove none is missing. {@link #close} stops and disconnects.
 */
public final class TickSenders implements AutoCloseable {
    private final List<LineClient> clients = new ArrayList<>();
    private final long intervalMs;
    private final List<Long> sent = new ArrayList<>(); // guarded by itself
    private final AtomicLong ticks = new AtomicLong();
    private final Thread thread;
    private volatile boolean stop;
    private volatile IOException failure;

    /** Connects {@code n} clients and starts sending. */
    public TickSenders(int port, int n, long intervalMs) throws IOException {
        this.intervalMs = intervalMs;
        try {
            for (int i = 0; i < n; i++) {
                clients.add(new LineClient(port));
            }
        } catch (IOException e) {
            closeClients();
            throw e;
        }
        thread = new Thread(this::run, "tick-senders-" + port);
        thread.setDaemon(true);
        thread.start();
    }

    /** Ticks sent so far (each one value on every connection). */
    public long ticks() {
        return ticks.get();
    }

    /** Stops sending (after the tick in progress) and closes the connections; fails if a send failed. */
    @Override
    public void close() throws IOException, InterruptedException {
        stop = true;
        LockSupport.unpark(thread);
        thread.join(10_000);
        closeClients();
        if (failure != null) {
            throw failure;
        }
    }

    /** Writes every value sent, one a line, to {@code file} (a {@code --record} file for verify). */
    public Path writeSent(Path file) throws IOException {
        final StringBuilder b = new StringBuilder();
        synchronized (sent) {
            for (long v : sent) {
                b.append(v).append('\n');
            }
        }
        return Files.writeString(file, b);
    }

    private void run() {
        long next = System.nanoTime();
        while (!stop) {
            final long t = System.currentTimeMillis();
            try {
                for (LineClient c : clients) {
                    c.send(t);
                }
            } catch (IOException e) {
                failure = e;
                return;
            }
            synchronized (sent) {
                sent.add(t);
            }
            ticks.incrementAndGet();
            next += intervalMs * 1_000_000L;
            for (long wait = next - System.nanoTime(); wait > 0 && !stop; wait = next - System.nanoTime()) {
                LockSupport.parkNanos(wait);
            }
        }
    }

    private void closeClients() throws IOException {
        for (LineClient c : clients) {
            c.close();
        }
    }
}
