package dev.stampede.cli;

import dev.stampede.metrics.MetricsServer;
import dev.stampede.metrics.Readiness;
import dev.stampede.runtime.AsyncLog;
import io.prometheus.metrics.model.registry.MultiCollector;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What every long-running command ({@code server}, {@code merge}, {@code client}, {@code demo})
 * does around its program, in one place: the signals (TERM or INT stop cleanly, a second one
 * leaves at once, HUP reloads what the program can reload and stops nothing), the metrics endpoint, the wait, the clean stop with its
 * summary line, and the exit statuses.
 *
 * <p>Created before the program starts, so that a signal during the start is already a clean stop
 * and not the JVM's abrupt default.
 */
final class Lifecycle {
    /** Exit status: a clean stop (a signal, or a client's {@code --duration} over). */
    static final int OK = 0;
    /** Exit status: the program could not start, or failed (and said why). */
    static final int FAILED = 1;
    /** Exit status: a bad option (picocli's usage errors exit 2 as well). */
    static final int USAGE = 2;
    /** Exit status: a second signal during the clean stop (128 + SIGINT, as a shell reports it). */
    static final int HALTED = 130;

    private final String command;
    private final Consumer<String> log;
    private final Signals signals;
    private MetricsServer metricsServer;

    /**
     * Installs the signal handlers.
     *
     * @param command the program's name, which starts its log lines ({@code server})
     * @param log the program's non-blocking log
     */
    Lifecycle(String command, Consumer<String> log) {
        this.command = command;
        this.log = log;
        this.signals = Signals.install(command, log);
    }

    /** A usage error found while building the config: said, exit {@link #USAGE}. */
    int usage(String message) {
        AsyncLog.error(log, command + ": " + message);
        return USAGE;
    }

    /** The program cannot start (or go on): said (and the metrics endpoint stopped), exit {@link #FAILED}. */
    int failed(String message) {
        AsyncLog.error(log, command + ": " + message);
        MetricsOption.stop(metricsServer);
        return FAILED;
    }

    /** What SIGHUP does (default: says there is nothing to reload); it must log what it did. */
    void onHangup(Runnable reload) {
        signals.onHangup(reload);
    }

    /** What to do on a second stop signal while the first is being honoured (default: halt, 130). */
    void onSecondSignal(Runnable action) {
        signals.onSecondSignal(action);
    }

    /**
     * Serves {@code --metrics} when asked for. If its address cannot be bound (said on the log),
     * stops the program with {@code stopProgram} and returns {@code false}: the command then exits
     * {@link #FAILED}.
     */
    boolean serveMetrics(MetricsOption metrics, MultiCollector collector, Runnable stopProgram) {
        return serveMetrics(metrics, collector, () -> null, stopProgram);
    }

    /** As {@link #serveMetrics(MetricsOption, MultiCollector, Runnable)}, with {@code /-/ready} from {@code readiness}. */
    boolean serveMetrics(MetricsOption metrics, MultiCollector collector, Readiness readiness, Runnable stopProgram) {
        try {
            metricsServer = metrics.start(command, collector, readiness, log);
            return true;
        } catch (IOException e) {
            stopProgram.run();
            return false;
        }
    }

    /**
     * The program is up (listening, metrics served): tells systemd, under a {@code Type=notify}
     * unit ({@link SystemdNotify}; nothing without {@code NOTIFY_SOCKET}, and never blocking).
     */
    void ready(String status) {
        SystemdNotify.fromEnvironment(command, log).ready(status);
    }

    /** Waits until a signal comes or {@code running} turns false; true if a signal came. */
    boolean await(BooleanSupplier running) throws InterruptedException {
        return signals.awaitWhile(running);
    }

    /**
     * Waits until a signal comes or the program stops by itself, stops it, says its summary and
     * stops the metrics endpoint.
     *
     * @param running whether the program still runs (false: its duration is over, or it failed)
     * @param onSignal what a stop signal does, said after the signal's name ({@code "stopping"})
     * @param stop stops the program, waiting for it, and returns its summary line
     * @return whether a signal came (else the program stopped by itself)
     */
    boolean awaitAndStop(BooleanSupplier running, String onSignal, Supplier<String> stop)
            throws InterruptedException {
        final boolean signalled = signals.awaitWhile(running);
        if (signalled) {
            log.accept(command + ": " + signals.received() + ": " + onSignal);
        }
        log.accept(stop.get());
        MetricsOption.stop(metricsServer);
        return signalled;
    }

    /**
     * The exit status of a program that runs until stopped (the server, the merge): {@link #OK}
     * after a signal, {@link #FAILED} if it stopped by itself (it failed, and said why).
     */
    static int untilSignalled(boolean signalled) {
        return signalled ? OK : FAILED;
    }
}
