package dev.stampede.verify;

import dev.stampede.format.Ascii;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPInputStream;

/**
 * Streams a file of decimal lines (the output and late file format) with constant memory: one
 * 1 MiB buffer, no String per line. {@link #next()} moves to the next line and says whether it is
 * a well-formed number; {@link #value()} is that number.
 *
 * <p>A file whose name ends in {@code .gz} (a window {@code --compress gzip} compressed) is read
 * through {@link GZIPInputStream}: its lines, not its bytes; {@link #position()} and {@link #size()}
 * are then in compressed bytes, for progress.
 *
 * <p>Not thread-safe.
 */
final class LineReader implements AutoCloseable {
    /** {@link #next()} results. */
    static final int END = 0;
    static final int NUMBER = 1;
    static final int MALFORMED = 2;
    /** A last line without {@code \n}: what a crash in the middle of a write leaves. */
    static final int UNTERMINATED = 3;

    private static final int BUFFER_BYTES = 1 << 20;

    private final FileChannel file;
    /** What lines are read from: {@link #file}, or a gunzip over it. */
    private final ReadableByteChannel channel;
    private final boolean gzip;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
    private final long size;
    private long consumed;
    private long lineNumber;
    private long value;
    private boolean eof;

    LineReader(Path path) throws IOException {
        this.file = FileChannel.open(path, StandardOpenOption.READ);
        this.size = file.size();
        this.gzip = path.getFileName().toString().endsWith(".gz");
        try {
            this.channel = gzip ? Channels.newChannel(new GZIPInputStream(Channels.newInputStream(file), 1 << 16))
                    : file;
        } catch (IOException e) {
            file.close(); // not gzip at all: said by the caller
            throw e;
        }
        buffer.limit(0);
    }

    /** Moves to the next line; see the result constants. */
    int next() throws IOException {
        long acc = 0;
        int digits = 0;
        boolean bad = false;
        boolean any = false;
        while (true) {
            if (!buffer.hasRemaining() && !fill()) {
                if (!any) {
                    return END;
                }
                lineNumber++;
                return UNTERMINATED;
            }
            final byte b = buffer.get();
            consumed++;
            if (b == '\n') {
                lineNumber++;
                value = bad ? -1 : Ascii.valueOf(acc, digits);
                return value < 0 ? MALFORMED : NUMBER;
            }
            any = true;
            final int d = Ascii.digit(b);
            if (d >= 0 && Ascii.hasRoom(digits)) {
                acc = Ascii.accumulate(acc, d);
                digits++;
            } else {
                bad = true;
            }
        }
    }

    /** The number on the current line (valid after {@link #NUMBER}). */
    long value() {
        return value;
    }

    /** 1-based number of the current line. */
    long lineNumber() {
        return lineNumber;
    }

    /** Bytes consumed so far, for progress. */
    long position() throws IOException {
        return gzip ? file.position() : consumed;
    }

    /** The file's size when opened. */
    long size() {
        return size;
    }

    private boolean fill() throws IOException {
        if (eof) {
            return false;
        }
        buffer.clear();
        int n;
        do {
            n = channel.read(buffer);
        } while (n == 0);
        buffer.flip();
        if (n < 0) {
            eof = true;
            return false;
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            file.close();
        }
    }
}
