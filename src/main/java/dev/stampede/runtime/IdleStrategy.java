package dev.stampede.runtime;

import java.util.concurrent.locks.LockSupport;

/**
 * What a loop does between duty cycles that found nothing to do (Agrona's {@code IdleStrategy}).
 * Called on the loop's own thread only.
 */
@FunctionalInterface
public interface IdleStrategy {
    /**
     * For agents that wait inside their own poll (a selector with a timeout, a Kafka consumer):
     * the runner adds no pause of its own.
     */
    IdleStrategy NONE = workCount -> { };

    /** Called after each duty cycle with what it returned (never {@link Agent#DONE}). */
    void idle(int workCount);

    /**
     * Parks {@code nanos} after a cycle that did nothing, and not at all after one that did: for a
     * loop that drains queues others fill, one wake-up a pause takes everything that arrived
     * meanwhile instead of a wake-up for each hand-off.
     */
    static IdleStrategy parking(long nanos) {
        if (nanos <= 0) {
            throw new IllegalArgumentException("pause must be positive: " + nanos + " ns");
        }
        return workCount -> {
            if (workCount <= 0) {
                LockSupport.parkNanos(nanos);
            }
        };
    }
}
