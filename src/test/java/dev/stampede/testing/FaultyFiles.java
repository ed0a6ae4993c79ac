package dev.stampede.testing;

import dev.stampede.journal.AppendChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An {@link AppendChannel.Opener} over real files whose writes can be made to fail like a full
 * disk: {@link #fillUpAfter(long)} lets that many more bytes through (a short write, possibly in
 * the middle of a line), then every write throws "No space left on device" until {@link #free()}.
 */
public final class FaultyFiles implements AppendChannel.Opener {
    private static final long UNLIMITED = Long.MAX_VALUE;
    private final AtomicLong room = new AtomicLong(UNLIMITED);
    private final AtomicLong failures = new AtomicLong();

    /** Lets {@code bytes} more through, then fails. */
    public void fillUpAfter(long bytes) {
        room.set(bytes);
    }

    /** Writes work again. */
    public void free() {
        room.set(UNLIMITED);
    }

    /** Writes refused so far. */
    public long failures() {
        return failures.get();
    }

    @Override
    public AppendChannel open(Path path) throws IOException {
        final AppendChannel real = AppendChannel.FILES.open(path);
        return new ForwardingChannel(real) {
            @Override
            public int write(ByteBuffer src) throws IOException {
                final long left = room.get();
                if (left == 0) {
                    failures.incrementAndGet();
                    throw new IOException("No space left on device (injected)");
                }
                if (left == UNLIMITED || src.remaining() <= left) {
                    final int n = real.write(src);
                    if (left != UNLIMITED) {
                        room.addAndGet(-n);
                    }
                    return n;
                }
                final ByteBuffer part = src.duplicate();
                part.limit(part.position() + (int) left);
                final int n = real.write(part);
                src.position(src.position() + n);
                room.addAndGet(-n);
                return n;
            }
        };
    }
}
