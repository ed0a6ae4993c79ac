package dev.stampede.server;

/**
 * What one acknowledging connection has been told, and what it will be told next: the server
 * side of acknowledged delivery (docs/PROTOCOL.md, "Acknowledgements").
 *
 * <p>A connection's lines become durable in the order the files make them so, which is not the
 * order they came in: a value waits for the watermark, a late one for the late file's sync. Rather
 * than remember each line, a connection keeps one <em>checkpoint</em>: how many lines it had read
 * when it was taken, the largest value among them, and the hand-off sequence its values travel in
 * from then on. Once everything handed off up to that sequence is durable and the durable
 * watermark is above that largest value, every line of the checkpoint is done (durable, a
 * duplicate of something durable, or answered with {@code ERR}): the acknowledgement moves to it,
 * and a new checkpoint is taken. Three longs a connection, no per-line memory, and an
 * acknowledgement at most about two durability rounds (two fsyncs) after the line arrived.
 *
 * <p>Owned by the connection's loop thread.
 */
final class AckState {
    /** How often a connection hears from the server at least, changed or not: docs/PROTOCOL.md. */
    static final long HEARTBEAT_MS = 1_000;

    private long maxValue = Long.MIN_VALUE;
    private long checkpointLines;
    private long checkpointMax;
    private long checkpointSeq;
    private boolean checkpointed;
    private long acked;
    private long sent = -1;
    private long sentAtMs;

    /** A value the connection sent (valid, whatever becomes of it). */
    void onValue(long value) {
        if (value > maxValue) {
            maxValue = value;
        }
    }

    /**
     * Moves the acknowledgement as far as durability allows and takes the next checkpoint.
     *
     * @param linesRead the connection's lines so far, the opener included
     * @param handOffSeq the sequence in which what the loop releases from now on is handed off
     * @param durableSeq everything handed off with a sequence up to this is durable
     * @param durableWatermark every final value below this is durable
     * @return the lines acknowledged now
     */
    long advance(long linesRead, long handOffSeq, long durableSeq, long durableWatermark) {
        if (checkpointed && durableSeq >= checkpointSeq
                && (checkpointMax == Long.MIN_VALUE || durableWatermark > checkpointMax)) {
            acked = checkpointLines;
            checkpointed = false;
        }
        if (!checkpointed && linesRead > acked) {
            checkpointLines = linesRead;
            checkpointMax = maxValue;
            checkpointSeq = handOffSeq;
            checkpointed = true;
        }
        return acked;
    }

    /** Whether an {@code ACK} is due at {@code nowMs}: it changed, or a heartbeat is. */
    boolean due(long nowMs) {
        return acked != sent || nowMs - sentAtMs >= HEARTBEAT_MS;
    }

    /** The acknowledgement {@link #due} asks for went out (or into the socket's buffer). */
    void sent(long nowMs) {
        sent = acked;
        sentAtMs = nowMs;
    }

    /** Lines acknowledged so far. */
    long acked() {
        return acked;
    }
}
