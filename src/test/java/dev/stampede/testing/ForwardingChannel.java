package dev.stampede.testing;

import dev.stampede.journal.AppendChannel;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * An {@link AppendChannel} that passes every call to a real one: the base of the test seams that
 * fail, hold or count some calls (override those) and leave the rest to the real file.
 */
public class ForwardingChannel implements AppendChannel {
    protected final AppendChannel real;

    public ForwardingChannel(AppendChannel real) {
        this.real = real;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        return real.write(src);
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public void truncate(long size) throws IOException {
        real.truncate(size);
    }

    @Override
    public void force() throws IOException {
        real.force();
    }

    @Override
    public void close() throws IOException {
        real.close();
    }
}
