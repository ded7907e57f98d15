package io.livemig.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.agrona.MutableDirectBuffer;

/**
 * A {@link NativeStoreBuffer} whose reads are native calls too ({@code memcpy} into the thread's staging
 * buffer, then a plain read of that): for memory registered in userfaultfd MISSING mode, where a read of a
 * page not yet placed faults as a store does, and the thread must block "in native", never "in Java".
 *
 * <p>Routed reads: {@code getLong}, {@code getInt}, {@code getByte}, {@code getBytes} into an array or a
 * buffer, the ones {@link io.livemig.memory.GuestMemory} uses. Other read methods of {@link
 * org.agrona.concurrent.UnsafeBuffer} read in Java and are safe only on pages already placed.
 *
 * <p>Thread-safety: as {@link NativeStoreBuffer}; each thread has its own staging buffer.
 */
final class NativeAccessBuffer extends NativeStoreBuffer
{
    NativeAccessBuffer(final long address, final int length)
    {
        super(address, length);
    }

    @Override
    public long getLong(final int index)
    {
        boundsCheck0(index, Long.BYTES);
        final MemorySegment staging = STAGING.get();
        Libc.memcpy(staging.address(), addressOffset() + index, Long.BYTES);
        return staging.get(ValueLayout.JAVA_LONG, 0);
    }

    @Override
    public int getInt(final int index)
    {
        boundsCheck0(index, Integer.BYTES);
        final MemorySegment staging = STAGING.get();
        Libc.memcpy(staging.address(), addressOffset() + index, Integer.BYTES);
        return staging.get(ValueLayout.JAVA_INT, 0);
    }

    @Override
    public byte getByte(final int index)
    {
        boundsCheck0(index, 1);
        final MemorySegment staging = STAGING.get();
        Libc.memcpy(staging.address(), addressOffset() + index, 1);
        return staging.get(ValueLayout.JAVA_BYTE, 0);
    }

    @Override
    public void getBytes(final int index, final byte[] dst, final int offset, final int length)
    {
        boundsCheck0(index, length);
        if (offset < 0 || length < 0 || offset > dst.length - length)
        {
            throw new IndexOutOfBoundsException("destination range [" + offset + ", +" + length + ") of " + dst.length);
        }
        final MemorySegment staging = STAGING.get();
        for (int done = 0; done < length; )
        {
            final int chunk = Math.min(STAGING_BYTES, length - done);
            Libc.memcpy(staging.address(), addressOffset() + index + done, chunk);
            MemorySegment.copy(staging, ValueLayout.JAVA_BYTE, 0, dst, offset + done, chunk);
            done += chunk;
        }
    }

    @Override
    public void getBytes(final int index, final MutableDirectBuffer dst, final int dstIndex, final int length)
    {
        boundsCheck0(index, length);
        dst.boundsCheck(dstIndex, length);
        if (dst.byteArray() == null)
        {
            Libc.memcpy(dst.addressOffset() + dstIndex, addressOffset() + index, length);
            return;
        }
        final MemorySegment staging = STAGING.get();
        for (int done = 0; done < length; )
        {
            final int chunk = Math.min(STAGING_BYTES, length - done);
            Libc.memcpy(staging.address(), addressOffset() + index + done, chunk);
            for (int i = 0; i < chunk; i++)
            {
                dst.putByte(dstIndex + done + i, staging.get(ValueLayout.JAVA_BYTE, i));
            }
            done += chunk;
        }
    }
}
