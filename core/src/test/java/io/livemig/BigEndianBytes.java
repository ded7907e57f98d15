package io.livemig;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The byte-writing half of the tests' hand-made streams (livemig's page stream, QEMU's migration stream): big-endian
 * fields appended in order, with a mark where a test expects a refusal. {@code T} is the builder itself, so that
 * calls chain. Not thread-safe.
 */
public abstract class BigEndianBytes<T extends BigEndianBytes<T>>
{
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream data = new DataOutputStream(bytes);
    private long mark = -1;

    /** @return this builder, typed. */
    protected abstract T self();

    /** Notes the current offset: the start of what a test expects to be refused. */
    public T mark()
    {
        mark = bytes.size();
        return self();
    }

    /** @return the offset {@link #mark()} noted, or -1. */
    public long marked()
    {
        return mark;
    }

    /** @return the bytes written so far. */
    public int size()
    {
        return bytes.size();
    }

    public T u8(final int v)
    {
        return io(() -> data.writeByte(v));
    }

    public T u16(final int v)
    {
        return io(() -> data.writeShort(v));
    }

    public T u32(final int v)
    {
        return io(() -> data.writeInt(v));
    }

    public T u64(final long v)
    {
        return io(() -> data.writeLong(v));
    }

    public T ascii(final String s)
    {
        return raw(s.getBytes(StandardCharsets.US_ASCII));
    }

    public T raw(final byte[] b)
    {
        return io(() -> data.write(b));
    }

    /** @return every byte written. */
    public byte[] bytes()
    {
        return bytes.toByteArray();
    }

    /** @return the first {@code length} bytes. */
    public byte[] truncated(final int length)
    {
        return Arrays.copyOf(bytes.toByteArray(), length);
    }

    private interface IoAction
    {
        void run() throws IOException;
    }

    private T io(final IoAction action)
    {
        try
        {
            action.run();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return self();
    }
}
