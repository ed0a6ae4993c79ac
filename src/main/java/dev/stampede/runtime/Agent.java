package dev.stampede.runtime;

/**
 * A loop's work, in Agrona's sense: an {@link AgentRunner} calls {@link #onStart} once, then
 * {@link #doWork} (one duty cycle) until a stop is requested or the agent says it is
 * {@linkplain #DONE done}, then {@link #onClose} once, always on the runner's own thread. Every
 * loop of stampede (the server's event loops and loop merge, the client's loops, the Kafka merge)
 * is an agent, so they share one lifecycle, one idle policy and one error policy.
 *
 * <p>An agent that waits in a poll of its own (a selector, a Kafka consumer) does so inside
 * {@code doWork} and runs with {@link IdleStrategy#NONE}; one that only polls queues returns 0
 * when it found nothing and lets its {@link IdleStrategy} park it.
 */
public interface Agent {
    /** What {@link #doWork} returns when the agent has finished by itself (not because of a stop). */
    int DONE = -1;

    /** The name in log lines and the thread's name, e.g. {@code "server: event loop"}. */
    String roleName();

    /** Called once on the runner's thread before the first duty cycle. */
    default void onStart() throws Exception {
    }

    /**
     * One duty cycle.
     *
     * @return how much work it did (0: none, so the idle strategy may pause), or {@link #DONE}
     * @throws Exception anything unexpected: the runner's error policy takes it and the loop ends
     */
    int doWork() throws Exception;

    /**
     * Called by {@link AgentRunner#requestStop} on the caller's thread, before the runner checks its
     * flag again: an agent blocked in a poll of its own wakes it up here. Must not block.
     */
    default void onStopRequested() {
    }

    /**
     * Called once on the runner's thread after the last duty cycle, whether the loop stopped,
     * finished or failed: the orderly end (write what is pending, close what it owns).
     */
    default void onClose() {
    }
}
