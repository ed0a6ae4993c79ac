package dev.stampede.runtime;

/**
 * Runs one event loop (an agent with a duty cycle) on a thread of its own, and waits for it to
 * end. The server and the client each run their loop this way: one thread per loop, never one
 * per connection.
 *
 * <p>Thread-safe: any thread may ask, wait and look.
 */
public final class LoopThread {
    private final Thread thread;

    /** A loop thread named {@code name}, not started yet. */
    public LoopThread(Runnable loop, String name) {
        this.thread = new Thread(loop, name);
    }

    /** Starts the loop. */
    public void start() {
        thread.start();
    }

    /** Whether the loop is still running. */
    public boolean isRunning() {
        return thread.isAlive();
    }

    /**
     * Runs {@code requestStop} (which asks the loop to finish), then waits until it has, however
     * long its orderly end takes; an interrupt while waiting is kept for the caller.
     */
    public void stop(Runnable requestStop) {
        requestStop.run();
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
}
