package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.StampedeProcess;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JVM options the launchers add for one program (src/dist/lib/jvm.sh,
 * {@code stampede_program_opts}): the server's lean JIT and heap, which keep its peak RSS at 5,000
 * connections under 56 MB (measured in bench/memory.sh, not here), nothing for the others; and
 * both those options and the override that restores the JVM's defaults (docs/OPERATIONS.md) start
 * the JVM that runs this test.
 */
class LauncherProgramOptionsTest {
    /** The override docs/OPERATIONS.md gives, through STAMPEDE_JAVA_OPTS, to undo the server's options. */
    static final String RESTORE = "-XX:+TieredCompilation -XX:CICompilerCount=2 -Xshare:auto -Xmn5m";

    private static String programOpts(String program) throws Exception {
        final String out = run(List.of("bash", "-c", "set -euo pipefail; . \"$0\"; stampede_program_opts \"$1\"",
                StampedeProcess.root().resolve("src/dist/lib/jvm.sh").toString(), program));
        return out.trim();
    }

    private static String run(List<String> cmd) throws Exception {
        final Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s: %s", cmd, out).isZero();
        return out;
    }

    /** {@code java OPTIONS -version} with this test's JVM: the options exist and agree with each other. */
    private static String javaVersionWith(String options) throws Exception {
        final List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(Arrays.asList(options.trim().split("\\s+")));
        cmd.add("-version");
        return run(cmd);
    }

    @Test
    void theServerGetsOneC2ThreadNoArchiveAndASmallYoungGeneration() throws Exception {
        assertThat(programOpts("server").split(" "))
                .containsExactlyInAnyOrder("-XX:-TieredCompilation", "-XX:CICompilerCount=1", "-Xshare:off", "-Xmn2m");
    }

    @Test
    void theOtherProgramsRunWithTheJvmsDefaults() throws Exception {
        for (String program : List.of("client", "demo", "verify", "merge", "", "--help", "servers")) {
            assertThat(programOpts(program)).as(program).isEmpty();
        }
    }

    @Test
    void theServersOptionsAndTheDocumentedOverrideStartThisJvm() throws Exception {
        assertThat(javaVersionWith(programOpts("server"))).contains("version");
        assertThat(javaVersionWith(programOpts("server") + " " + RESTORE)).contains("version");
    }
}
