package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.StampedeProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which java the launchers run (src/dist/lib/jvm.sh, {@code stampede_java}): the PATH's java;
 * {@code STAMPEDE_JAVA} names another, or {@code newest} for the newest JDK 25 or later installed. Run with bash on fake
 * JDK folders (a {@code release} file and an executable {@code bin/java}) and an empty PATH.
 */
class LauncherJavaTest {
    @TempDir
    Path dir;

    private Path jdk(String name, String version, boolean executable) throws IOException {
        final Path home = Files.createDirectories(dir.resolve(name));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        final Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        if (executable) {
            Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return home;
    }

    /** What {@code stampede_java DIRS...} prints, with {@code env} set and nothing on the PATH. */
    private String choose(Map<String, String> env, Path... jdks) throws Exception {
        final List<String> cmd = new ArrayList<>(List.of("bash", "-c",
                "set -euo pipefail; . \"$0\"; stampede_java \"$@\"",
                StampedeProcess.root().resolve("src/dist/lib/jvm.sh").toString()));
        for (Path j : jdks) {
            cmd.add(j.toString());
        }
        final ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("JAVA_HOME");
        pb.environment().remove("STAMPEDE_JAVA");
        pb.environment().put("PATH", Files.createDirectories(dir.resolve("empty-path")).toString());
        pb.environment().putAll(env);
        final Process p = pb.start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    private static final Map<String, String> NEWEST = Map.of("STAMPEDE_JAVA", "newest");

    @Test
    void theNewestJdk25OrLaterIsChosen() throws Exception {
        final Path j17 = jdk("jdk-17", "17.0.15", true);
        final Path j25 = jdk("jdk-25", "25.0.3", true);
        final Path j26 = jdk("jdk-26", "26", true);
        assertThat(choose(NEWEST, j17, j26, j25)).isEqualTo(j26.resolve("bin/java").toString());
        assertThat(choose(NEWEST, j17, j25)).isEqualTo(j25.resolve("bin/java").toString());
    }

    @Test
    void byDefaultThePathsJavaRunsEvenBesideAJdk25() throws Exception {
        final Path j25 = jdk("jdk-25", "25.0.3", true);
        assertThat(choose(Map.of(), j25)).isEqualTo("java");
        assertThat(choose(Map.of("JAVA_HOME", j25.toString()), j25)).isEqualTo("java");
    }

    @Test
    void withoutAJdk25ThePathsJavaRuns() throws Exception {
        final Path j17 = jdk("jdk-17", "17.0.15", true);
        final Path j21 = jdk("jdk-21", "21.0.2", true);
        final Path broken = jdk("jdk-25", "25.0.3", false); // no executable java: not a candidate
        assertThat(choose(NEWEST, j17, j21, broken)).isEqualTo("java");
        assertThat(choose(NEWEST, dir.resolve("no-such-jdk"))).isEqualTo("java");
    }

    @Test
    void javaHomeCountsAndStampedeJavaDecides() throws Exception {
        final Path j17 = jdk("jdk-17", "17.0.15", true);
        final Path j25 = jdk("jdk-25", "25.0.3", true);
        assertThat(choose(Map.of("STAMPEDE_JAVA", "newest", "JAVA_HOME", j25.toString()), j17))
                .isEqualTo(j25.resolve("bin/java").toString());
        assertThat(choose(Map.of("STAMPEDE_JAVA", "/opt/jdk-17/bin/java"), j25)).isEqualTo("/opt/jdk-17/bin/java");
    }
}
