package dev.stampede.runtime;

/**
 * Runs one {@link Agent} on a thread of its own: one thread per loop, never one per connection.
 * The lifecycle every loop shares: {@code onStart}, duty cycles paced by an {@link IdleStrategy}
 * until a stop is requested or the agent is done, then {@code onClose}, whatever happened; an
 * exception from the agent goes to the {@link ErrorPolicy} and ends the loop (through
 * {@code onClose}). Errors ({@link Error}) are not caught: the JVM's own policy applies
 * ({@code -XX:+ExitOnOutOfMemoryError} in the launcher).
 *
 * <p>Thread-safe: any thread may start, stop, wait and look.
 */
public final class AgentRunner {
    private final Agent agent;
    private final IdleStrategy idle;
    private final ErrorPolicy errors;
    private final Thread thread;
    private volatile boolean stopRequested;
    private volatile boolean failed;

    /** A runner for {@code agent} on a thread named {@code threadName}, not started yet. */
    public AgentRunner(Agent agent, IdleStrategy idle, ErrorPolicy errors, String threadName) {
        this.agent = agent;
        this.idle = idle;
        this.errors = errors;
        this.thread = new Thread(this::run, threadName);
    }

    /** Starts the loop. */
    public void start() {
        thread.start();
    }

    /** Asks the loop to finish (its {@code onClose} then writes what it has); does not wait. */
    public void requestStop() {
        stopRequested = true;
        agent.onStopRequested();
    }

    /** Whether a stop was asked for: for an agent's long phases that run inside one cycle. */
    public boolean stopRequested() {
        return stopRequested;
    }

    /**
     * Asks the loop to finish, then waits until it has, however long its orderly end takes; an
     * interrupt while waiting is kept for the caller.
     */
    public void stop() {
        requestStop();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until the loop ends by itself or {@code timeoutMs} passes; true if it ended. */
    public boolean awaitTermination(long timeoutMs) throws InterruptedException {
        thread.join(Math.max(1, timeoutMs));
        return !thread.isAlive();
    }

    /** Whether the loop is still running. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /** Whether the loop ended because its agent threw (the error policy said why). */
    public boolean failed() {
        return failed;
    }

    /** The agent this runner runs. */
    public Agent agent() {
        return agent;
    }

    private void run() {
        try {
            agent.onStart();
            while (!stopRequested) {
                final int work = agent.doWork();
                if (work == Agent.DONE) {
                    break;
                }
                idle.idle(work);
            }
        } catch (Exception e) {
            failed = true;
            errors.onError(agent.roleName(), e);
        } finally {
            closeAgent();
        }
    }

    private void closeAgent() {
        try {
            agent.onClose();
        } catch (RuntimeException e) {
            failed = true;
            errors.onError(agent.roleName() + " (closing)", e);
        }
    }
}
