package dev.stampede.kafka;

import dev.stampede.journal.FileTail;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Publishes a server's final values to its own partition of the topic (node N writes partition
 * N, and nobody else does), by following the server's files: the output file (final values,
 * ascending) and the late file. The files are the journal: the event loop never waits for Kafka,
 * and after any broker trouble publication resumes from where the partition ends.
 *
 * <h2>Exactly once into the partition</h2>
 * Every record carries the file offsets it brings publication to ({@link NodeRecord}). On start,
 * and after any failure, the publisher reads its partition's last record back and continues the
 * files from its offsets. One record is in flight at a time (the next carries whatever the file
 * gained meanwhile, so batches grow with the broker's latency), on an idempotent producer with
 * {@code acks=all}: a record is either in the partition, and then read back, or it is sent again.
 *
 * <h2>Watermarks and leaving</h2>
 * The server's watermark rides with its file writes ({@code writtenWatermark}, read before the
 * file): a record that reaches the end of the file carries it; with nothing new to publish, a
 * marker record carries it at least every {@value #MARKER_MS} ms, which is also how the merge
 * knows the node is alive. A clean stop publishes the rest of the files and a {@code LEAVING}
 * record.
 *
 * <h2>Threading</h2>
 * One thread of its own ({@code stampede-publisher}); the figures are safe from any thread.
 * Memory: one batch of at most {@value #MAX_VALUES} values.
 */
public final class NodePublisher implements AutoCloseable {
    static final int MAX_VALUES = 32_768;
    private static final long MARKER_MS = 100;
    private static final long IDLE_PARK_MS = 2;
    private static final long SEND_TIMEOUT_MS = 30_000;
    private static final long READ_BACK_TIMEOUT_MS = 10_000;
    private static final long MIN_BACKOFF_MS = 250;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final KafkaSettings settings;
    private final int node;
    private final TopicPartition partition;
    private final LongSupplier writtenWatermark;
    private final Consumer<String> log;
    private final Path outputPath;
    private final FileTail output;
    private final FileTail late;
    private final ByteBuffer batch = ByteBuffer.allocate(NodeRecord.HEADER_BYTES + 8 * MAX_VALUES);
    private final Thread thread;

    private KafkaProducer<byte[], byte[]> producer;
    private long lastSendNs;
    private long backoffMs = MIN_BACKOFF_MS;
    private boolean troubleReported;

    private volatile long ackedWatermark = Long.MIN_VALUE;
    private volatile long published;
    private volatile boolean finishing;
    private volatile long finishDeadlineNs;
    private volatile boolean finished;

    /**
     * @param output the server's output file; its late file is {@code late}
     * @param writtenWatermark the server's watermark as of the last batch written to the output file
     * @param log where trouble and recovery are reported (one line each, not one per retry)
     */
    public NodePublisher(KafkaSettings settings, int node, Path output, Path late, LongSupplier writtenWatermark,
            Consumer<String> log) {
        if (node < 0) {
            throw new IllegalArgumentException("--node must be 0 or more, not " + node);
        }
        this.settings = settings;
        this.node = node;
        this.partition = new TopicPartition(settings.topic(), node);
        this.writtenWatermark = writtenWatermark;
        this.log = log;
        this.outputPath = output;
        this.output = new FileTail(output, MAX_VALUES);
        this.late = new FileTail(late, MAX_VALUES);
        this.thread = new Thread(this::run, "stampede-publisher");
        thread.setDaemon(true);
    }

    /**
     * Every value of the output file below this is in the partition, acknowledged by the broker
     * ({@code acks=all}); {@link Long#MIN_VALUE} before anything is. Any thread.
     */
    public long acknowledgedWatermark() {
        return ackedWatermark;
    }

    /** Starts publishing. */
    public NodePublisher start() {
        thread.start();
        return this;
    }

    /** How far the published watermark trails the written one, in ms; -1 before the first. */
    public long lagMs() {
        final long written = writtenWatermark.getAsLong();
        final long acked = ackedWatermark;
        if (written == Long.MIN_VALUE || acked == Long.MIN_VALUE) {
            return -1;
        }
        return Math.max(0, written - acked);
    }

    /** Values published (acknowledged) since start. */
    public long published() {
        return published;
    }

    /**
     * Publishes what the files still hold and the leaving record, then stops: for after the
     * server has stopped (its files are complete). Waits at most {@code timeoutMs}; what is not
     * published by then is published by the next start, from the files.
     *
     * @return {@code true} if everything and the leaving record were published
     */
    public boolean finish(long timeoutMs) {
        finishDeadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        finishing = true;
        LockSupport.unpark(thread);
        try {
            thread.join(timeoutMs + 2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return finished;
    }

    @Override
    public void close() {
        finish(0);
    }

    // ------------------------------------------------------------------- the thread

    private void run() {
        try {
            while (!finished && !(finishing && System.nanoTime() - finishDeadlineNs > 0)) {
                try {
                    if (producer == null) {
                        connect();
                    }
                    if (!publishSome()) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(IDLE_PARK_MS));
                    }
                } catch (IOException | KafkaException | ExecutionException | TimeoutException e) {
                    trouble(e);
                }
            }
        } finally {
            closeProducer();
            closeQuietly();
            if (finishing && !finished) {
                log.accept("server: kafka: stopped before publishing everything: the rest of " + outputPath
                        + " goes out at the next start");
            }
        }
    }

    /** Creates the producer and continues the files from the partition's last record. */
    private void connect() throws IOException, ExecutionException, TimeoutException {
        settings.ensurePartitions(node + 1);
        final long[] at = readBack();
        output.seek(at[0]);
        late.seek(at[1]);
        ackedWatermark = at[2];
        if (output.size() < at[0] || late.size() < at[1]) {
            throw new IOException("partition " + partition + " says " + at[0] + " bytes of the output and " + at[1]
                    + " of the late file were published, more than the files hold: is this the right --output "
                    + "and --node?");
        }
        producer = new KafkaProducer<>(settings.producer(node));
        if (troubleReported) {
            log.accept("server: kafka: publishing to " + partition + " again, from byte " + at[0] + " of the output");
            troubleReported = false;
        }
        backoffMs = MIN_BACKOFF_MS;
    }

    /** {output offset, late offset, watermark} after the partition's last record; zeros if empty. */
    private long[] readBack() throws IOException {
        try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(settings.consumer("stampede-node-" + node + "-readback"))) {
            consumer.assign(List.of(partition));
            consumer.seekToEnd(List.of(partition));
            final long end = consumer.position(partition, Duration.ofMillis(READ_BACK_TIMEOUT_MS));
            if (end == 0) {
                return new long[] {0, 0, Long.MIN_VALUE};
            }
            consumer.seek(partition, end - 1);
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_BACK_TIMEOUT_MS);
            final NodeRecord r = new NodeRecord();
            while (System.nanoTime() - deadline < 0) {
                for (ConsumerRecord<byte[], byte[]> rec : consumer.poll(Duration.ofMillis(200))) {
                    if (rec.offset() == end - 1) {
                        if (!r.read(rec.value())) {
                            throw new IOException(partition + " holds a record that is not stampede's (offset "
                                    + rec.offset() + "): is the topic shared with something else?");
                        }
                        return new long[] {r.outputOffset(), r.lateOffset(), r.watermark()};
                    }
                }
            }
            throw new IOException("could not read back the last record of " + partition);
        } catch (KafkaException e) {
            throw new IOException("cannot read back " + partition + ": " + e.getMessage(), e);
        }
    }

    /**
     * Publishes one record if there is something to say: new final values, new late values, or a
     * watermark marker when due. Waits for its acknowledgement.
     *
     * @return {@code false} if there was nothing to do
     */
    private boolean publishSome() throws IOException, ExecutionException, TimeoutException {
        final long mark = writtenWatermark.getAsLong(); // first: the file then holds all it describes
        final long lateAt = late.offset();
        batch.clear().position(NodeRecord.HEADER_BYTES);
        final int values = output.read(batch);
        if (values > 0) {
            final boolean atEnd = output.offset() == output.size();
            final long watermark = Math.max(ackedWatermark, Math.max(atEnd ? mark : Long.MIN_VALUE, output.lastValue() + 1));
            send(NodeRecord.VALUES, watermark, output.offset(), lateAt, values);
            return true;
        }
        final int lateValues = late.read(batch);
        if (lateValues > 0) {
            send(NodeRecord.LATE, Math.max(ackedWatermark, mark), output.offset(), late.offset(), lateValues);
            return true;
        }
        if (finishing) {
            send(NodeRecord.LEAVING, Math.max(ackedWatermark, mark), output.offset(), late.offset(), 0);
            finished = true;
            log.accept("server: kafka: published everything to " + partition + " and said it is leaving");
            return true;
        }
        if (System.nanoTime() - lastSendNs >= TimeUnit.MILLISECONDS.toNanos(MARKER_MS)) {
            send(NodeRecord.VALUES, Math.max(ackedWatermark, mark), output.offset(), late.offset(), 0);
            return true;
        }
        return false;
    }

    private void send(byte kind, long watermark, long outputOffset, long lateOffset, int count)
            throws ExecutionException, TimeoutException, IOException {
        final byte[] value = NodeRecord.encode(batch, kind, watermark, outputOffset, lateOffset, count);
        try {
            producer.send(new ProducerRecord<>(partition.topic(), partition.partition(), null, value))
                    .get(SEND_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        lastSendNs = System.nanoTime();
        ackedWatermark = watermark;
        published += count;
    }

    /**
     * Something failed (broker down, a timeout): drop the producer, wait a back-off, and start over
     * from the partition's last record, so that nothing is published twice or skipped.
     */
    private void trouble(Exception e) {
        if (!troubleReported) {
            log.accept("server: kafka: cannot publish to " + partition + " at " + settings.bootstrap() + ": "
                    + message(e) + "; the server goes on writing its file, publication catches up from it");
            troubleReported = true;
        }
        closeProducer();
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(backoffMs));
        backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
    }

    private void closeProducer() {
        if (producer != null) {
            producer.close(Duration.ZERO);
            producer = null;
        }
    }

    private void closeQuietly() {
        try {
            output.close();
            late.close();
        } catch (IOException ignored) {
            // Read-only files: nothing to lose.
        }
    }

    static String message(Throwable e) {
        final Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }
}
