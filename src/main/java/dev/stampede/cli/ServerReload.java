package dev.stampede.cli;

import dev.stampede.server.ReloadableLimits;
import dev.stampede.server.ServerConfig;
import dev.stampede.transport.ServerTls;
import dev.stampede.transport.TlsSetupException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * What SIGHUP does to a running server (docs/OPERATIONS.md, "Reload on SIGHUP"):
 * <ul>
 *   <li>the TLS certificate, key and client CA are read again from their files: new handshakes
 *       use them, connections already up keep theirs; files that cannot be used keep the old
 *       ones in use, and the log says why;</li>
 *   <li>the config file is read again, the command line still winning: the settings in
 *       {@link #RELOADABLE} take effect at once; any other setting that changed is said to need a
 *       restart, and ignored. A file with an error changes nothing.</li>
 * </ul>
 * Each outcome is one log line. Runs on the signal's thread, one reload at a time ({@link Signals});
 * the loops are never blocked: what they use changes through volatile references.
 */
final class ServerReload implements Runnable {
    /** The config file's settings a reload applies. */
    static final Set<String> RELOADABLE = Set.of("max-connections", "silent-timeout");

    private final ServerCommand running;
    private final EffectiveSettings settings;
    private final ServerTls tls;
    private final ReloadableLimits limits;
    private final Consumer<String> log;

    /**
     * @param running the server's command, its options as they are in effect
     * @param settings the config file and what the command line gave
     * @param tls the server's TLS, or {@code null}
     * @param limits the running server's reloadable limits
     */
    ServerReload(ServerCommand running, EffectiveSettings settings, ServerTls tls, ReloadableLimits limits,
            Consumer<String> log) {
        this.running = running;
        this.settings = settings;
        this.tls = tls;
        this.limits = limits;
        this.log = log;
    }

    @Override
    public void run() {
        if (tls == null && settings.file() == null) {
            log.accept("server: SIGHUP: nothing to reload (no TLS, no --config)");
            return;
        }
        if (tls != null) {
            try {
                log.accept("server: SIGHUP: TLS reloaded: " + tls.reload()
                        + " (new handshakes use it; connections up keep theirs)");
            } catch (TlsSetupException e) {
                log.accept("server: SIGHUP: TLS: kept the old certificate, key and CA: " + e.getMessage());
            }
        }
        if (settings.file() != null) {
            reloadConfig();
        }
    }

    private void reloadConfig() {
        final String from = "server: SIGHUP: config " + settings.file() + ": ";
        final ServerCommand fresh = new ServerCommand();
        Main.configure(new CommandLine(fresh)).parseArgs();
        // The command line given at start still wins over the file.
        for (OptionSpec o : settings.options()) {
            if (settings.onCommandLine(o)) {
                fresh.spec.findOption(o.longestName()).setValue(o.getValue());
            }
        }
        final ServerConfig next;
        try {
            EffectiveSettings.apply(fresh.spec, settings.file(), settings::onCommandLine);
            next = reloadable(fresh);
        } catch (IllegalArgumentException e) {
            log.accept(from + e.getMessage() + "; nothing changed");
            return;
        }
        final List<String> applied = new ArrayList<>();
        final List<String> ignored = new ArrayList<>();
        for (OptionSpec o : settings.options()) {
            final Object was = o.getValue();
            final Object now = fresh.spec.findOption(o.longestName()).getValue();
            if (Objects.equals(was, now)) {
                continue;
            }
            final String key = EffectiveSettings.key(o);
            final String change = key + " " + show(was) + " -> " + show(now);
            if (RELOADABLE.contains(key)) {
                applied.add(change);
                o.setValue(now); // the next reload compares with what is in effect
            } else {
                ignored.add(change);
            }
        }
        limits.apply(next);
        log.accept(from + (applied.isEmpty() ? "no reloadable setting changed" : "applied " + String.join(", ", applied)));
        for (String change : ignored) {
            log.accept(from + change + ": needs a restart, ignored");
        }
    }

    /** The reloadable settings of {@code c}, validated as at start (the rest of the config: defaults). */
    private static ServerConfig reloadable(ServerCommand c) {
        final ServerConfig.Builder b = ServerConfig.builder().silentTimeoutMs(c.silentTimeout.toMillis());
        if (c.maxConnections != null) {
            b.maxConnections(c.maxConnections);
        }
        return b.build();
    }

    private static String show(Object v) {
        return v == null ? "(not set)" : EffectiveSettings.format(v);
    }
}
