package dev.stampede.kafka;

import dev.stampede.journal.DurableEnd;
import dev.stampede.journal.FileTail;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
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
 * <h2>Only what is durable</h2>
 * It reads the files only up to what their writers have made durable ({@link DurableEnd}: fsynced,
 * per {@code --fsync}; with {@code --fsync never}, nothing is fsynced while running and "durable"
 * means written), so a power loss cannot take from a file what its partition already holds.
 *
 * <h2>Exactly once into the partition</h2>
 * Every record carries the file offsets it brings publication to ({@link NodeRecord}). On start,
 * and after any failure, the publisher reads its partition's end back ({@link PartitionEnd}) and
 * continues the files from its offsets. If the output file holds less than that, or not the value
 * published last at that offset (it was cut, a power loss under a disk that lied about its fsyncs,
 * or a file put back from elsewhere, and written again since), it continues at the first line
 * above the last value published, found by scanning the file: no fragment of a line, nothing
 * twice, nothing skipped. (The late file, in arrival order, continues at the start of the line
 * that holds its recorded offset.) One record is in flight at a time (the next carries whatever the file
 * gained meanwhile, so batches grow with the broker's latency), on an idempotent producer with
 * {@code acks=all}: a record is either in the partition, and then read back, or it is sent again.
 *
 * <h2>Watermarks and leaving</h2>
 * The server's watermark rides with its file writes ({@link DurableEnd#durableMark()}, read
 * before the file): a record that reaches the end of the file carries it; with nothing new to publish, a
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
    private static final long MIN_BACKOFF_MS = 250;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final KafkaSettings settings;
    private final int node;
    private final TopicPartition partition;
    private final DurableEnd outputEnd;
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
    /** How far into the late file the partition holds, in bytes; {@link Long#MIN_VALUE} before it is known. */
    private volatile long ackedLateBytes = Long.MIN_VALUE;
    private volatile long published;
    private volatile boolean finishing;
    private volatile long finishDeadlineNs;
    private volatile boolean finished;

    /**
     * @param output the server's output file, whose writer's durable end is {@code outputEnd}
     * @param late its late file, and {@code lateEnd} its writer's
     * @param log where trouble and recovery are reported (one line each, not one per retry)
     */
    public NodePublisher(KafkaSettings settings, int node, Path output, DurableEnd outputEnd, Path late,
            DurableEnd lateEnd, Consumer<String> log) {
        if (node < 0) {
            throw new IllegalArgumentException("--node must be 0 or more, not " + node);
        }
        this.settings = settings;
        this.node = node;
        this.partition = new TopicPartition(settings.topic(), node);
        this.outputEnd = outputEnd;
        this.log = log;
        this.outputPath = output;
        this.output = new FileTail(output, MAX_VALUES, outputEnd::durableBytes);
        this.late = new FileTail(late, MAX_VALUES, lateEnd::durableBytes);
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

    /**
     * The late file up to this many bytes is in the partition, acknowledged by the broker;
     * {@link Long#MIN_VALUE} before the partition has been read back. Any thread.
     */
    public long acknowledgedLateBytes() {
        return ackedLateBytes;
    }

    /** Starts publishing. */
    public NodePublisher start() {
        thread.start();
        return this;
    }

    /** How far the published watermark trails the durable one, in ms; -1 before the first. */
    public long lagMs() {
        final long written = outputEnd.durableMark();
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

    /** Creates the producer and continues the files from the partition's end. */
    private void connect() throws IOException, ExecutionException, TimeoutException {
        settings.ensurePartitions(node + 1);
        final PartitionEnd at = PartitionEnd.read(settings, partition, "stampede-node-" + node + "-readback");
        final long outputFrom = resumeOutput(at);
        final long lateFrom = at.lateOffset() == 0 || late.valueBefore(at.lateOffset()) >= 0 ? at.lateOffset()
                : late.lineStartAtOrBefore(at.lateOffset());
        output.seek(outputFrom);
        late.seek(lateFrom);
        ackedWatermark = at.watermark();
        ackedLateBytes = Math.max(ackedLateBytes, lateFrom);
        producer = new KafkaProducer<>(settings.producer(node));
        if (troubleReported) {
            log.accept("server: kafka: publishing to " + partition + " again, from byte " + outputFrom + " of the output");
            troubleReported = false;
        }
        backoffMs = MIN_BACKOFF_MS;
    }

    /**
     * Where the output file continues: at the recorded offset if the file still ends a line there
     * with the value published last; else (it was cut and maybe written again) at the first line
     * above the last value published (or, if none is known, the first at or above the watermark).
     */
    private long resumeOutput(PartitionEnd at) throws IOException {
        final long recorded = at.outputOffset();
        if (recorded == 0) {
            return 0;
        }
        final long before = output.valueBefore(recorded);
        if (before >= 0 && (at.lastValue() == PartitionEnd.UNKNOWN || before == at.lastValue())) {
            return recorded;
        }
        final long after = at.lastValue() != PartitionEnd.UNKNOWN ? at.lastValue()
                : at.watermark() == Long.MIN_VALUE ? -1 : at.watermark() - 1;
        final long from = output.seekAfterValue(after);
        log.accept("server: kafka: " + outputPath + " does not hold what " + partition + " recorded at byte " + recorded
                + " (" + output.size() + " bytes now: cut by a power loss?); publishing from byte " + from
                + ", the first value after " + after + ", the last one published");
        return from;
    }

    /**
     * Publishes one record if there is something to say: new final values, new late values, or a
     * watermark marker when due. Waits for its acknowledgement.
     *
     * @return {@code false} if there was nothing to do
     */
    private boolean publishSome() throws IOException, ExecutionException, TimeoutException {
        final long mark = outputEnd.durableMark(); // first: the durable bytes then hold all it describes
        final long lateAt = late.offset();
        batch.clear().position(NodeRecord.HEADER_BYTES);
        final int values = output.read(batch);
        if (values > 0) {
            final boolean atEnd = output.atEnd();
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
        ackedLateBytes = Math.max(ackedLateBytes, lateOffset);
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
