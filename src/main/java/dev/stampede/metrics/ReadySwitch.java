package dev.stampede.metrics;

/**
 * The readiness of a program that starts its metrics endpoint before it is up (so that
 * {@code /-/healthy} answers during a long resume scan): {@link Readiness#STARTING} until
 * {@link #set} gives the real check, e.g. once the server listens. Any thread.
 */
public final class ReadySwitch implements Readiness {
    private volatile Readiness current;

    /** Not ready, for {@code reason} (e.g. {@code "starting: the listener is not up yet"}). */
    public ReadySwitch(String reason) {
        this.current = () -> reason;
    }

    /** From now on, ready is what {@code check} says. */
    public void set(Readiness check) {
        current = check;
    }

    @Override
    public String notReadyBecause() {
        return current.notReadyBecause();
    }
}
