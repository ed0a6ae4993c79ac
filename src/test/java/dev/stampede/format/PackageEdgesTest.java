package dev.stampede.format;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Edges between packages that would say the wrong thing about their jobs: the counters do not need
 * the protocol, the checker of files does not need the server's store (the file format is here).
 */
class PackageEdgesTest {
    private static final Path MAIN = Path.of("src", "main", "java", "dev", "stampede");

    @ParameterizedTest(name = "{0} does not import {1}")
    @CsvSource({"stats, protocol", "stats, metrics", "verify, store", "verify, server", "format, store",
        "format, protocol"})
    void packageDoesNotImport(String from, String to) throws IOException {
        final List<String> offenders;
        try (Stream<Path> files = Files.list(MAIN.resolve(from))) {
            offenders = files.filter(f -> {
                try {
                    return Files.readString(f).contains("import dev.stampede." + to + ".");
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).map(f -> f.getFileName().toString()).collect(Collectors.toList());
        }
        assertThat(offenders).as(from + " importing " + to).isEmpty();
    }
}
