package dev.stampede.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Tells systemd that a {@code Type=notify} service is ready ({@code READY=1}), when it runs under
 * one: only if {@code NOTIFY_SOCKET} is set, and never at the cost of the program.
 *
 * <h2>Why a child process</h2>
 * The notification is a datagram on an {@code AF_UNIX} socket, and Java 17 has stream sockets of
 * that family only ({@code SocketChannel}, JEP 380), not datagram ones; JNA or JNI would add a
 * native library for one message. systemd ships {@code systemd-notify} wherever {@code NOTIFY_SOCKET}
 * can be set, so it runs that, with {@code --pid} naming this JVM as the main process. The sender is
 * then a child of the service, hence {@code NotifyAccess=all} in the units; since systemd 246 it waits
 * until systemd has taken the message (a barrier), so the message is not lost when it exits first.
 *
 * <h2>Never in the way</h2>
 * The command runs on a daemon thread of its own, so the caller never waits; it is given
 * {@value #TIMEOUT_MS} ms and then killed. A failure (no {@code systemd-notify}, a socket that is
 * gone, a non-zero exit, a timeout) is said once on the log and changes nothing else: the server goes
 * on (systemd, if it waits for READY, says so itself when its start timeout passes).
 */
final class SystemdNotify {
    /** How long {@code systemd-notify} may take before it is killed. */
    static final long TIMEOUT_MS = 10_000;

    private final String socket;
    private final String command;
    private final Consumer<String> log;
    private final String who;
    private boolean failureSaid;

    /**
     * @param socket the value of {@code NOTIFY_SOCKET}; {@code null} or empty: not under systemd, do nothing
     * @param command the {@code systemd-notify} to run (a path, or a name looked up on the PATH)
     * @param who the program's name, which starts its log line ({@code server})
     */
    SystemdNotify(String socket, String command, String who, Consumer<String> log) {
        this.socket = socket == null || socket.isEmpty() ? null : socket;
        this.command = command;
        this.who = who;
        this.log = log;
    }

    /** The notifier of this process: {@code NOTIFY_SOCKET} from the environment, {@code systemd-notify} from the PATH. */
    static SystemdNotify fromEnvironment(String who, Consumer<String> log) {
        return new SystemdNotify(System.getenv("NOTIFY_SOCKET"), "systemd-notify", who, log);
    }

    /** Whether there is a service manager to tell. */
    boolean enabled() {
        return socket != null;
    }

    /**
     * {@code READY=1} with a status line ({@code systemctl status} shows it); returns at once. The
     * thread it starts is returned for tests ({@code null} when not under systemd).
     */
    Thread ready(String status) {
        if (!enabled()) {
            return null;
        }
        final List<String> cmd = new ArrayList<>(List.of(command, "--ready",
                "--pid=" + ProcessHandle.current().pid()));
        if (status != null && !status.isEmpty()) {
            cmd.add("--status=" + status);
        }
        final Thread t = new Thread(() -> run(cmd), "stampede-notify");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private void run(List<String> cmd) {
        try {
            final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.PIPE);
            pb.environment().put("NOTIFY_SOCKET", socket);
            final Process p = pb.start();
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                failed("systemd-notify took more than " + TIMEOUT_MS + " ms; killed");
            } else if (p.exitValue() != 0) {
                failed("systemd-notify exited with " + p.exitValue() + " (NOTIFY_SOCKET=" + socket + ")");
            }
        } catch (IOException e) {
            failed("cannot run " + command + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void failed(String why) {
        if (!failureSaid) {
            failureSaid = true;
            log.accept(who + ": warning: could not tell systemd that it is ready: " + why
                    + "; running on (a Type=notify unit needs NotifyAccess=all)");
        }
    }
}
