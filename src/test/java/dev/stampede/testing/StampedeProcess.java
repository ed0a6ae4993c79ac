package dev.stampede.testing;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code stampede} run as a separate JVM (the same classes as this test), for tests about
 * processes: signals, exit codes, crashes. Collects its stderr lines.
 */
public final class StampedeProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [0-9.]+:(\\d+)");

    private final Process process;
    private final List<String> stderr = Collections.synchronizedList(new ArrayList<>());

    private StampedeProcess(Process process) {
        this.process = process;
        final Thread reader = new Thread(this::readStderr, "stderr-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code stampede ARGS...} with a small heap. */
    public static StampedeProcess start(String... args) throws IOException {
        final List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.add("-Xmx128m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.stampede.cli.Main");
        cmd.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        return new StampedeProcess(pb.start());
    }

    /** Waits for the server's "listening on" line and returns its port. */
    public int awaitPort(Duration timeout) {
        final int[] port = {-1};
        Await.until("server listening", timeout, () -> {
            if (!process.isAlive()) {
                throw new AssertionError("server exited with " + process.exitValue() + ": " + stderr);
            }
            synchronized (stderr) {
                for (String line : stderr) {
                    final Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port[0] = Integer.parseInt(m.group(1));
                        return true;
                    }
                }
            }
            return false;
        });
        return port[0];
    }

    /** Sends a signal by name (TERM, INT, KILL) with kill(1). */
    public void signal(String name) throws IOException, InterruptedException {
        final Process kill = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IOException("kill -" + name + " failed");
        }
    }

    /** Waits for the exit and returns the status; fails if it takes longer than {@code timeout}. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("process still running after " + timeout.toMillis() + " ms; stderr: " + stderr);
        }
        return process.exitValue();
    }

    /** The stderr lines so far. */
    public List<String> stderr() {
        synchronized (stderr) {
            return new ArrayList<>(stderr);
        }
    }

    /** The last stderr line containing {@code text}, or {@code null}. */
    public String lastLineWith(String text) {
        final List<String> lines = stderr();
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).contains(text)) {
                return lines.get(i);
            }
        }
        return null;
    }

    private void readStderr() {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                stderr.add(line);
            }
        } catch (IOException ignored) {
            // The process is gone.
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
