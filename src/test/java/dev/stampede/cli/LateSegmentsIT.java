package dev.stampede.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stampede.format.OutputFiles;
import dev.stampede.store.Rotation;
import dev.stampede.testing.Await;
import dev.stampede.testing.LineClient;
import dev.stampede.testing.Ports;
import dev.stampede.testing.StampedeProcess;
import dev.stampede.verify.FileVerifier;
import dev.stampede.verify.VerifyResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The late file under {@code --rotate 2s --retain 6 --repair-late} through {@code ./stampede}: a
 * raw line client sends values 8 s late all along, a recording client sends live values for the
 * first part only. While the server runs, the late file is cut into segments (also once only late
 * values come, so no window of the output opens any more), the late-only windows get their files,
 * and --retain deletes old segments: the late values do not pile up for ever. After a clean stop,
 * every value of a window still kept is in its window's file.
 */
@Timeout(150)
class LateSegmentsIT {
    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(30);
    private static final long PERIOD_MS = 2_000;
    private static final long LATE_MS = 8_000;

    @TempDir
    Path dir;

    @Test
    void lateSegmentsAreCutRepairedAndPrunedWhileTheServerRuns() throws Exception {
        final Path out = dir.resolve("ts.txt");
        final Path sent = dir.resolve("sent.txt");
        final int port = Ports.free();
        final List<Long> late = new CopyOnWriteArrayList<>();
        final AtomicBoolean sending = new AtomicBoolean(true);
        final long liveStoppedAt;
        final String firstSegment;
        try (StampedeProcess server = StampedeProcess.start("server", "--port", String.valueOf(port), "-o",
                out.toString(), "--rotate", "2s", "--retain", "6", "--repair-late", "--stats-interval", "1s")) {
            server.awaitPort(START);
            final Thread lateSender;
            try (StampedeProcess client = StampedeProcess.start("client", "--port", String.valueOf(port), "-c", "2",
                    "--record", sent.toString(), "--quiet")) {
                Await.until("a closed window", START, () -> closed(out).size() >= 2);
                lateSender = startLateSender(port, late, sending);
                Await.until("a late segment cut while live values come", START, () -> segments(out),
                        s -> !s.isEmpty());
                firstSegment = segments(out).get(0);
                client.signal("TERM");
                assertThat(client.awaitExit(STOP)).isZero();
            }
            liveStoppedAt = System.currentTimeMillis();
            // Only late values now: no window of the output opens, the late file is cut all the same.
            final String newestAtStop = newest(segments(out));
            Await.until("a late segment cut while only late values come", START, () -> segments(out),
                    s -> !s.isEmpty() && newest(s).compareTo(newestAtStop) > 0
                            && newest(s).compareTo(OutputFiles.latePath(out).getFileName() + "."
                                    + stamp(out, liveStoppedAt)) > 0);
            // A window after the live values gets its file from its late values while the server runs (not at the stop).
            final Path lateOnlyWindow = Rotation.closedName(out, windowOf(liveStoppedAt) + 2 * PERIOD_MS);
            Await.until(lateOnlyWindow.getFileName() + " written by the repair", START,
                    () -> Files.exists(lateOnlyWindow));
            // --retain 6: a segment goes once every window of its values is deleted.
            Await.until("the first segment " + firstSegment + " pruned", Duration.ofSeconds(40), () -> segments(out),
                    s -> !s.contains(firstSegment));
            assertThat(segments(out).size()).as("segments kept: %s", segments(out)).isLessThanOrEqualTo(10);
            sending.set(false);
            lateSender.join(10_000);
            server.signal("TERM");
            assertThat(server.awaitExit(STOP)).isZero();
        }
        // Every late value of a window still kept is in that window's file ...
        final List<Path> files = new ArrayList<>(Rotation.closedFiles(out));
        final long oldestKept = windowStartOf(out, files.get(0));
        int checked = 0;
        for (long v : late) {
            final Path window = Rotation.closedName(out, windowOf(v));
            if (windowOf(v) >= oldestKept) {
                assertThat(Files.readAllLines(window)).as("%s holds %d", window, v).contains(String.valueOf(v));
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20);
        // ... and the kept files verify as one stream holding every value sent for their windows.
        files.add(out);
        final Path expect = dir.resolve("expect.txt");
        final StringBuilder b = new StringBuilder();
        for (String line : Files.readAllLines(sent)) {
            if (!line.isEmpty() && Long.parseLong(line) >= oldestKept) {
                b.append(line).append('\n');
            }
        }
        for (long v : late) {
            if (v >= oldestKept) {
                b.append(v).append('\n');
            }
        }
        Files.writeString(expect, b);
        final VerifyResult r = new FileVerifier(false, null).verify(files, List.of(expect));
        assertThat(r.ok()).as(r.render()).isTrue();
    }

    /** Sends a value {@value #LATE_MS} ms old about every 100 ms until {@code sending} is cleared. */
    private static Thread startLateSender(int port, List<Long> late, AtomicBoolean sending) {
        final Thread t = new Thread(() -> {
            try (LineClient c = new LineClient(port)) {
                long last = -1;
                while (sending.get()) {
                    final long v = Math.max(last + 1, System.currentTimeMillis() - LATE_MS);
                    c.send(v);
                    late.add(v);
                    last = v;
                    Thread.sleep(97);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "late-sender");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static long windowOf(long v) {
        return Math.floorDiv(v, PERIOD_MS) * PERIOD_MS;
    }

    /** The stamp a window starting at {@code ms}'s window gets, as in the closed files' names. */
    private static String stamp(Path out, long ms) {
        final String name = Rotation.closedName(out, windowOf(ms)).getFileName().toString();
        return name.substring(out.getFileName().toString().length() + 1);
    }

    private static long windowStartOf(Path out, Path closed) {
        final String name = closed.getFileName().toString();
        final String s = name.substring(out.getFileName().toString().length() + 1,
                out.getFileName().toString().length() + 16);
        return java.time.LocalDateTime.parse(s, java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss"))
                .toInstant(java.time.ZoneOffset.UTC).toEpochMilli();
    }

    private static String newest(List<String> names) {
        return names.isEmpty() ? "" : names.get(names.size() - 1);
    }

    private static List<String> segments(Path out) {
        try {
            final List<String> names = new ArrayList<>();
            for (Path p : OutputFiles.lateSegments(out)) {
                names.add(p.getFileName().toString());
            }
            return names;
        } catch (IOException e) {
            return List.of();
        }
    }

    private static List<Path> closed(Path out) {
        try {
            return Rotation.closedFiles(out);
        } catch (IOException e) {
            return List.of();
        }
    }
}
