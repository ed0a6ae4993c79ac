package dev.stampede.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ./stampede} run as users run it: the repository's launcher script, which runs the jar
 * that {@code mvn package} built (the process tests run in the {@code verify} phase, after
 * {@code package}, so the launcher finds the jar up to date and does not rebuild). For tests about
 * processes: signals, exit codes, crashes. Collects its stderr and stdout lines.
 */
public final class StampedeProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on [0-9.]+:(\\d+)");
    /** What the launcher prints when it rebuilds the jar: must never happen during the tests. */
    public static final String REBUILDING = "stampede: building";
    /** A small heap for every process (the launcher's options come first; the last -Xmx wins). */
    private static final String JAVA_OPTS = "-Xmx128m";

    private final Process process;
    private final List<String> stderr = Collections.synchronizedList(new ArrayList<>());
    private final List<String> stdout = Collections.synchronizedList(new ArrayList<>());

    private StampedeProcess(Process process, boolean readStderr) {
        this.process = process;
        if (readStderr) {
            daemon(() -> read(process.getErrorStream(), stderr), "stderr-" + process.pid());
        }
        daemon(() -> read(process.getInputStream(), stdout), "stdout-" + process.pid());
    }

    /** Starts {@code ./stampede ARGS...}. */
    public static StampedeProcess start(String... args) throws IOException {
        return launch(null, true, args);
    }

    /**
     * Starts {@code ./stampede ARGS...} from {@code bash -c 'SHELL; exec ./stampede ARGS...'}: for a
     * resource limit ({@code ulimit -f 64}) or a set-up step. The process is the JVM (exec).
     */
    public static StampedeProcess startAfter(String shell, String... args) throws IOException {
        return launch(shell, true, args);
    }

    /**
     * Like {@link #startAfter}, but its stderr is a pipe that nobody ever reads (kept open, so that
     * writes to it block once it is full, as with a hung log collector).
     */
    public static StampedeProcess startWithUnreadStderr(String shell, String... args) throws IOException {
        return launch(shell, false, args);
    }

    /**
     * Starts a process the caller has set up (another launcher, such as the release archive's
     * bin/stampede, or another environment), with the same line collection as the others.
     */
    public static StampedeProcess of(ProcessBuilder pb) throws IOException {
        return new StampedeProcess(pb.start(), true);
    }

    /** The repository: where the launcher and target/stampede.jar are. */
    public static Path root() {
        return Path.of(System.getProperty("stampede.root", System.getProperty("user.dir"))).toAbsolutePath();
    }

    /** The launcher script. */
    public static Path launcher() {
        return root().resolve("stampede");
    }

    /** The jar the launcher runs. */
    public static Path jar() {
        return root().resolve("target").resolve("stampede.jar");
    }

    /**
     * Fails unless the jar exists and is newer than pom.xml and every file under src/main (the
     * launcher's own test): a process test must run the jar under test, never trigger a build.
     */
    public static void assertJarUpToDate() throws IOException {
        final Path jar = jar();
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError(jar + " is missing: run the process tests with 'mvn verify' (after package)");
        }
        final FileTime built = Files.getLastModifiedTime(jar);
        final List<Path> sources = new ArrayList<>();
        sources.add(root().resolve("pom.xml"));
        try (Stream<Path> files = Files.walk(root().resolve("src").resolve("main"))) {
            files.forEach(sources::add);
        }
        for (Path p : sources) {
            if (Files.getLastModifiedTime(p).compareTo(built) > 0) {
                throw new AssertionError(p + " is newer than " + jar + ": the launcher would rebuild it during "
                        + "the test; run the process tests with 'mvn verify' (after package)");
            }
        }
    }

    private static StampedeProcess launch(String shell, boolean readStderr, String... args) throws IOException {
        assertJarUpToDate();
        final List<String> cmd = new ArrayList<>();
        if (shell != null) {
            cmd.addAll(List.of("bash", "-c", shell + "\nexec \"$0\" \"$@\""));
        }
        cmd.add(launcher().toString());
        cmd.addAll(List.of(args));
        final ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("STAMPEDE_JAVA_OPTS", JAVA_OPTS);
        return new StampedeProcess(pb.start(), readStderr);
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

    /** The stdout lines so far. */
    public List<String> stdout() {
        synchronized (stdout) {
            return new ArrayList<>(stdout);
        }
    }

    /** The process id (the JVM's: the launcher and a shell prefix end in exec). */
    public long pid() {
        return process.pid();
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    private static void daemon(Runnable body, String name) {
        final Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
    }

    private static void read(InputStream in, List<String> into) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                into.add(line);
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
