package dev.stampede.client;

import dev.stampede.transport.TlsSession;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.LongConsumer;

/**
 * Writes a connection's unsent lines (its new tick, its backlog, its replay) with as few
 * {@code write} calls as possible: the lines are formatted from the {@link ReplayRing} into one
 * shared direct buffer, one {@code write} per buffer-full. A tick on a healthy connection is one
 * line and one {@code write}, and allocates nothing.
 *
 * <p>A value written in full for the first time is counted as sent and, with {@code --record},
 * appended to the record file: once, whatever the replays.
 *
 * <p>With TLS the lines are encrypted on the way ({@link TlsSession#write}); a tick is then one
 * record and one {@code write}.
 *
 * <p>Not thread-safe: owned by the client's event loop.
 */
final class Sender {
    private static final int BUFFER_BYTES = 64 * 1024;

    private final ByteBuffer out = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final ClientCounters counters;
    private final RecordBatch record;
    private final LongConsumer firstSends = this::onFirstSend;
    private Connector connector;

    /** @param record where first sends are appended, or {@code null} */
    Sender(ClientCounters counters, RecordBatch record) {
        this.counters = counters;
        this.record = record;
    }

    /** The connector that is told when a write finds the connection lost. */
    void connector(Connector c) {
        this.connector = c;
    }

    /**
     * Writes what the socket takes of the connection's unsent lines; if some remain (the socket
     * is full), asks for OP_WRITE so that the loop calls again when there is room.
     */
    void flush(ClientConnection c) {
        final ReplayRing ring = c.ring;
        final TlsSession tls = c.tls;
        try {
            if (tls != null && !tls.flush(c.channel)) {
                c.wantWrites(true); // earlier records first
                return;
            }
        } catch (IOException e) {
            connector.fail(c, System.nanoTime(), "lost", e);
            return;
        }
        while (ring.hasUnsent()) {
            ring.fill(out);
            final int want = out.remaining();
            final int written;
            try {
                written = tls == null ? c.channel.write(out) : tls.write(c.channel, out);
            } catch (IOException e) {
                connector.fail(c, System.nanoTime(), "lost", e);
                return;
            }
            counters.replayed += ring.consume(written, firstSends);
            if (written < want) {
                break;
            }
        }
        c.wantWrites(ring.hasUnsent() || tls != null && tls.hasPendingOutput());
    }

    private void onFirstSend(long value) {
        counters.sent++;
        if (record != null) {
            record.add(value);
        }
    }
}
