package dev.stampede.store;

import dev.stampede.journal.DurableEnd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A late file whose every byte counts as durable: what a restart finds, for tests of the repair. */
final class WholeLateFile implements DurableEnd {
    private final Path late;
    private final long durableMark;

    /** Every byte durable, no mark yet. */
    WholeLateFile(Path late) {
        this(late, 0);
    }

    /** Every byte durable, and the marks up to {@code durableMark}. */
    WholeLateFile(Path late, long durableMark) {
        this.late = late;
        this.durableMark = durableMark;
    }

    @Override
    public long durableMark() {
        return durableMark;
    }

    @Override
    public long durableBytes() {
        try {
            return Files.exists(late) ? Files.size(late) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
