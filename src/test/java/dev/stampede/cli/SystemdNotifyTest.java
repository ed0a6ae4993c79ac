package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.testing.Await;
import dev.stampede.testing.FakeNotifySocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** READY=1 for a Type=notify unit, through systemd-notify, to a fake NOTIFY_SOCKET; never in the way. */
@Timeout(60)
class SystemdNotifyTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<String> log = new CopyOnWriteArrayList<>();

    @Test
    void readyReachesTheSocketWithTheStatusAndThisProcessAsMain() throws Exception {
        Assumptions.assumeTrue(FakeNotifySocket.onPath("systemd-notify"), "systemd-notify is not installed");
        try (FakeNotifySocket socket = FakeNotifySocket.bind(dir)) {
            final SystemdNotify notify = new SystemdNotify(socket.path(), "systemd-notify", "server", log::add);
            assertThat(notify.enabled()).isTrue();
            notify.ready("listening on 127.0.0.1:5050").join(WAIT.toMillis());
            Await.until("READY=1 received", WAIT, socket::fields, f -> f.contains("READY=1"));
            assertThat(socket.fields()).contains("STATUS=listening on 127.0.0.1:5050",
                    "MAINPID=" + ProcessHandle.current().pid());
            assertThat(log).isEmpty();
        }
    }

    @Test
    void withoutNotifySocketNothingRuns() {
        final SystemdNotify notify = new SystemdNotify(null, "/nonexistent/systemd-notify", "server", log::add);
        assertThat(notify.enabled()).isFalse();
        assertThat(notify.ready("up")).isNull();
        assertThat(new SystemdNotify("", "systemd-notify", "server", log::add).enabled()).isFalse();
        assertThat(log).isEmpty();
    }

    @Test
    void aFailureIsSaidOnceAndNeverThrows() throws Exception {
        final SystemdNotify missing = new SystemdNotify(dir.resolve("sock").toString(), dir.resolve("no-such-notify")
                .toString(), "merge", log::add);
        final long start = System.nanoTime();
        final Thread first = missing.ready("up");
        final Thread second = missing.ready("up");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("ready() never waits").isLessThan(WAIT);
        first.join(WAIT.toMillis());
        second.join(WAIT.toMillis());
        assertThat(log).singleElement().asString().startsWith("merge: warning: could not tell systemd")
                .contains("cannot run");
        if (FakeNotifySocket.onPath("systemd-notify")) {
            log.clear();
            // A socket nobody listens on: systemd-notify fails, said once.
            new SystemdNotify(dir.resolve("gone.sock").toString(), "systemd-notify", "server", log::add)
                    .ready("up").join(WAIT.toMillis());
            assertThat(log).singleElement().asString().contains("systemd-notify exited with");
        }
    }
}
