package dev.stampede.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * SIGTERM and SIGINT as a request to finish, not an abrupt end; SIGHUP as nothing that stops.
 *
 * <p>A JVM shutdown hook would also run on those signals, but the process would then exit with
 * 143 or 130, and a clean stop must exit 0 (README). So this replaces the JVM's handlers for the
 * two signals ({@code sun.misc.Signal}, supported in the {@code jdk.unsupported} module): the first
 * signal releases {@link #await}, the program finishes its work and returns normally; a second
 * one runs the {@code onSecondSignal} action (leave at once).
 *
 * <p>SIGHUP (a closed terminal, a reload, logrotate) would take the JVM's default too: exit 129 at
 * once, no summary, pending values not written. It stops nothing (it is no first or second stop
 * signal either): it runs the program's reload ({@link #onHangup}; by default it says there is
 * nothing to reload), one at a time, and the program carries on.
 */
public final class Signals {
    private final CountDownLatch stop = new CountDownLatch(1);
    private volatile Runnable onSecondSignal = () -> Runtime.getRuntime().halt(130);
    private volatile String received;
    private volatile Runnable onHangup;

    private Signals() {}

    /**
     * Installs the handlers for TERM, INT and HUP.
     *
     * @param command the program's name, which starts its log lines ({@code server})
     * @param log where a SIGHUP is said (called on the JVM's signal thread: it must not block)
     */
    public static Signals install(String command, Consumer<String> log) {
        final Signals s = new Signals();
        s.onHangup = () -> log.accept(command + ": SIGHUP: nothing to reload");
        for (String name : new String[] {"TERM", "INT"}) {
            final SignalHandler before = Signal.handle(new Signal(name), sig -> s.onSignal("SIG" + sig.getName()));
            warnIfIgnored(before, name, command, log, "it cannot stop this process"
                    + (name.equals("INT") ? " (Ctrl-C); SIGTERM can" : "; SIGINT can"));
        }
        try {
            final SignalHandler before = Signal.handle(new Signal("HUP"), sig -> s.hangUp(command, log));
            warnIfIgnored(before, "HUP", command, log, "it cannot reload (a restart can) and stops nothing");
        } catch (IllegalArgumentException notOurs) {
            // The JVM runs with -Xrs (signals left to the host): HUP keeps whatever the host made it.
        }
        return s;
    }

    /**
     * A signal ignored when the JVM started (by {@code nohup}, or a shell's background job without
     * job control) stays ignored: the JVM installs no handler for it, and nothing can undo that from
     * inside. Say so once, at start, rather than let a Ctrl-C or a reload do nothing in silence.
     */
    private static void warnIfIgnored(SignalHandler before, String name, String command, Consumer<String> log,
            String consequence) {
        if (before == SignalHandler.SIG_IGN) {
            log.accept(command + ": warning: SIG" + name + " was ignored when this process started (nohup, or a "
                    + "background job): " + consequence);
        }
    }

    /**
     * What SIGHUP does: the program's reload. It runs on a thread of the signal's own (the JVM
     * starts one per signal), one reload at a time; it must say what it did on the log.
     */
    public void onHangup(Runnable reload) {
        this.onHangup = reload;
    }

    /** Runs the reload; one that throws is said, and stops nothing. */
    private synchronized void hangUp(String command, Consumer<String> log) {
        try {
            onHangup.run();
        } catch (RuntimeException e) {
            log.accept(command + ": SIGHUP: reload failed, nothing changed: " + e);
        }
    }

    /** What to do on a second signal while the first is being honoured (default: halt). */
    public void onSecondSignal(Runnable action) {
        this.onSecondSignal = action;
    }

    /** Waits until a signal comes, or {@code timeoutMs} passes (0: forever); true if one came. */
    public boolean await(long timeoutMs) throws InterruptedException {
        if (timeoutMs <= 0) {
            stop.await();
            return true;
        }
        return stop.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    /**
     * Waits until a signal comes, or until {@code running} turns false (the program's loop ended
     * by itself: its duration is over, or it failed and said why).
     *
     * @return {@code true} if a signal came
     */
    public boolean awaitWhile(BooleanSupplier running) throws InterruptedException {
        while (!await(200) && running.getAsBoolean()) {
            // poll the loop five times a second
        }
        return received != null;
    }

    /** The name of the signal that came, or {@code null}. */
    public String received() {
        return received;
    }

    private void onSignal(String name) {
        if (received != null) {
            onSecondSignal.run();
            return;
        }
        received = name;
        stop.countDown();
    }
}
