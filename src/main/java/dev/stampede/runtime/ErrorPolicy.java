package dev.stampede.runtime;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * What happens when a loop's duty cycle throws: the one error policy of every loop. The error is
 * counted, logged once as {@code "<role> failed: <error>; stopping"} (the loop then ends through
 * its orderly {@link Agent#onClose}, which writes what it has), and the process is told through
 * the listener it gave, so that it can stop the rest and exit non-zero instead of running on with
 * a dead loop.
 *
 * <p>Thread-safe: loops on several threads may fail at once.
 */
public final class ErrorPolicy {
    private final Consumer<String> log;
    private final Runnable onFailure;
    private final AtomicLong errors = new AtomicLong();

    /**
     * @param log where the failure is said (an {@link AsyncLog}: never blocks)
     * @param onFailure told once per failed loop, on the failed loop's thread; must not block
     */
    public ErrorPolicy(Consumer<String> log, Runnable onFailure) {
        this.log = log;
        this.onFailure = onFailure;
    }

    /** Logs, and tells nobody else: for loops whose owner polls {@link AgentRunner#failed()}. */
    public static ErrorPolicy logging(Consumer<String> log) {
        return new ErrorPolicy(log, () -> { });
    }

    /** Takes a failure of the loop named {@code role}. */
    void onError(String role, Throwable error) {
        errors.incrementAndGet();
        log.accept(role + " failed: " + error + "; stopping");
        onFailure.run();
    }

    /** How many loops failed under this policy. Any thread. */
    public long errors() {
        return errors.get();
    }
}
