package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.Await;
import dev.stampede.testing.StampedeProcess;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The process tests run the launcher, and the launcher runs the jar that package built: no rebuild. */
@Timeout(60)
class LauncherIT {
    @Test
    void runsThePackagedJarWithoutRebuildingIt() throws Exception {
        StampedeProcess.assertJarUpToDate();
        final FileTime built = Files.getLastModifiedTime(StampedeProcess.jar());
        try (StampedeProcess p = StampedeProcess.start("--version")) {
            assertThat(p.awaitExit(Duration.ofSeconds(30))).isZero();
            Await.until("the version on stdout", Duration.ofSeconds(5), () -> !p.stdout().isEmpty());
            // The version comes from the jar's manifest: the launcher ran the jar, not loose classes.
            assertThat(p.stdout().get(0)).matches("stampede \\d+\\.\\d+\\.\\d+.*");
            assertThat(p.stderr()).noneMatch(l -> l.contains(StampedeProcess.REBUILDING));
        }
        assertThat(Files.getLastModifiedTime(StampedeProcess.jar())).as("the jar was not rebuilt").isEqualTo(built);
    }
}
