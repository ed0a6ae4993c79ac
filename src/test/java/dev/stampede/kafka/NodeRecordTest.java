package dev.stampede.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces of the scale-out that need no broker: the record format, the offsets. */
class NodeRecordTest {
    private static final long T = 1_750_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void aRecordReadsBackWhatWasWritten() {
        final byte[] bytes = NodeRecord.encode(NodeRecord.VALUES, T + 10, 123, 45, T, T + 3, Long.MAX_VALUE);
        final NodeRecord r = new NodeRecord();
        assertThat(r.read(bytes)).isTrue();
        assertThat(r.kind()).isEqualTo(NodeRecord.VALUES);
        assertThat(r.watermark()).isEqualTo(T + 10);
        assertThat(r.outputOffset()).isEqualTo(123);
        assertThat(r.lateOffset()).isEqualTo(45);
        assertThat(r.count()).isEqualTo(3);
        assertThat(new long[] {r.value(0), r.value(1), r.value(2)}).containsExactly(T, T + 3, Long.MAX_VALUE);
        assertThat(r.read(NodeRecord.encode(NodeRecord.LEAVING, Long.MIN_VALUE, 0, 0))).isTrue();
        assertThat(r.watermark()).isEqualTo(Long.MIN_VALUE);
        assertThat(r.count()).isZero();
    }

    @Test
    void foreignBytesAreNotARecord() {
        final NodeRecord r = new NodeRecord();
        assertThat(r.read(null)).isFalse();
        assertThat(r.read("hello".getBytes())).isFalse();
        final byte[] truncated = NodeRecord.encode(NodeRecord.VALUES, T, 0, 0, T, T + 1);
        assertThat(r.read(java.util.Arrays.copyOf(truncated, truncated.length - 1))).isFalse();
        final byte[] otherKind = NodeRecord.encode(NodeRecord.VALUES, T, 0, 0);
        otherKind[0] = 'Q';
        assertThat(r.read(otherKind)).isFalse();
        assertThat(r.unknownVersion()).as("'Q' is no version").isEqualTo(-1);
        final byte[] kindQ = NodeRecord.encode(NodeRecord.VALUES, T, 0, 0);
        kindQ[1] = 'Q';
        assertThat(r.read(kindQ)).isFalse();
        assertThat(r.unknownVersion()).isEqualTo(-1);
        assertThat(r.read(new byte[0])).isFalse();
        assertThat(r.read(new byte[] {NodeRecord.VERSION})).isFalse();
    }

    @Test
    void aRecordStartsWithItsVersion() {
        final byte[] bytes = NodeRecord.encode(NodeRecord.LATE, T, 1, 2, T - 5);
        assertThat(bytes[0]).isEqualTo(NodeRecord.VERSION).isEqualTo((byte) 1);
        assertThat(bytes[1]).isEqualTo(NodeRecord.LATE);
        assertThat(bytes).hasSize(NodeRecord.HEADER_BYTES + 8).hasSize(30 + 8);
        final NodeRecord r = new NodeRecord();
        assertThat(r.read(bytes)).isTrue();
        assertThat(r.version()).isEqualTo(1);
    }

    @Test
    void aRecordOfANewerVersionIsRefusedAndSaysItsVersion() {
        final NodeRecord r = new NodeRecord();
        for (int version = 2; version <= NodeRecord.MAX_VERSION; version++) {
            final byte[] bytes = NodeRecord.encode(NodeRecord.VALUES, T, 0, 0, T);
            bytes[0] = (byte) version;
            assertThat(r.read(bytes)).as("version " + version).isFalse();
            assertThat(r.unknownVersion()).isEqualTo(version);
            // Whatever its length: a newer layout may be longer or shorter.
            assertThat(r.read(new byte[] {(byte) version})).isFalse();
            assertThat(r.unknownVersion()).isEqualTo(version);
        }
        // The reader is usable again after a refusal.
        assertThat(r.read(NodeRecord.encode(NodeRecord.VALUES, T + 1, 0, 0, T))).isTrue();
        assertThat(r.unknownVersion()).isEqualTo(-1);
        assertThat(r.value(0)).isEqualTo(T);
    }

    @Test
    void aRecordWrittenBeforeTheVersionByteIsStillRead() {
        final byte[] old = unversioned(NodeRecord.encode(NodeRecord.VALUES, T + 10, 123, 45, T, T + 3));
        assertThat(old[0]).isEqualTo(NodeRecord.VALUES); // the old layout: the kind first
        final NodeRecord r = new NodeRecord();
        assertThat(r.read(old)).isTrue();
        assertThat(r.version()).isEqualTo(NodeRecord.UNVERSIONED);
        assertThat(r.kind()).isEqualTo(NodeRecord.VALUES);
        assertThat(r.watermark()).isEqualTo(T + 10);
        assertThat(r.outputOffset()).isEqualTo(123);
        assertThat(r.lateOffset()).isEqualTo(45);
        assertThat(r.count()).isEqualTo(2);
        assertThat(new long[] {r.value(0), r.value(1)}).containsExactly(T, T + 3);
        assertThat(r.read(unversioned(NodeRecord.encode(NodeRecord.LEAVING, T, 1, 2)))).isTrue();
        assertThat(r.kind()).isEqualTo(NodeRecord.LEAVING);
        final byte[] cut = unversioned(NodeRecord.encode(NodeRecord.LATE, T, 1, 2, T));
        assertThat(r.read(java.util.Arrays.copyOf(cut, cut.length - 1))).isFalse();
    }

    /** A record as stampede wrote it before the version byte: the same without its first byte. */
    static byte[] unversioned(byte[] record) {
        return java.util.Arrays.copyOfRange(record, 1, record.length);
    }

    @Test
    void offsetsSurviveAndBelongToTheirTopic() throws IOException {
        final Path out = dir.resolve("global.txt");
        final MergeOffsets offsets = new MergeOffsets(out, "ts");
        assertThat(offsets.load()).isEmpty();
        offsets.save(new long[] {5, 0, 42}, 3);
        assertThat(offsets.load()).isEqualTo(Map.of(0, 5L, 1, 0L, 2, 42L));
        offsets.save(new long[] {6, 1, 43}, 3);
        assertThat(new MergeOffsets(out, "ts").load()).isEqualTo(Map.of(0, 6L, 1, 1L, 2, 43L));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new MergeOffsets(out, "other").load())
                .isInstanceOf(IOException.class).hasMessageContaining("topic other");
    }

    @Test
    void offsetsAreSyncedBeforeTheirRenameAndTheDirectoryAfter() throws IOException {
        final Path out = dir.resolve("global.txt");
        final java.util.List<String> fsyncs = new java.util.ArrayList<>();
        final MergeOffsets offsets = new MergeOffsets(out, "ts", p -> {
            fsyncs.add(Files.isDirectory(p) ? "dir" : p.getFileName() + ": " + Files.readString(p).replace('\n', '|'));
            dev.stampede.journal.DurableFiles.REAL.force(p);
        });
        offsets.save(new long[] {5, 7}, 2);
        assertThat(fsyncs).containsExactly("global.txt.offsets.tmp: # stampede merge offsets v1 topic=ts|0 5|1 7|", "dir");
    }

    @Test
    void aPartitionIsReadAgainFromItsFirstRecordWithPendingValues() {
        final NodeStream n = new NodeStream(new org.apache.kafka.common.TopicPartition("t", 0), 0);
        n.taken(0, T + 10);
        n.nextOffset = 1;
        n.taken(1, T + 20);
        n.nextOffset = 2;
        n.nextOffset = 3; // a marker at 2, nothing pending
        assertThat(n.safeOffset()).isZero();
        n.settle(T + 11);
        assertThat(n.safeOffset()).isEqualTo(1);
        n.settle(T + 21);
        assertThat(n.safeOffset()).isEqualTo(3);
        for (int i = 0; i < 100; i++) {
            n.taken(3 + i, T + 100 + i); // the queue grows
        }
        n.nextOffset = 103;
        assertThat(n.safeOffset()).isEqualTo(3);
        n.settle(T + 150);
        assertThat(n.safeOffset()).isEqualTo(53);
    }
}
