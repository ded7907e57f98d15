package io.livemig.stream;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ChannelOutput and ChannelInput against java.io's big-endian streams, across buffer boundaries. */
class ChannelIoTest
{
    @Test
    void outputMatchesDataOutputStreamAcrossFlushes() throws IOException
    {
        final Random random = new Random(1);
        final MemoryChannel channel = new MemoryChannel();
        final ChannelOutput out = new ChannelOutput(channel, 64);
        final ByteArrayOutputStream expected = new ByteArrayOutputStream();
        final DataOutputStream data = new DataOutputStream(expected);
        for (int i = 0; i < 2000; i++)
        {
            switch (random.nextInt(6))
            {
                case 0: { final int v = random.nextInt(); out.putByte(v); data.writeByte(v); break; }
                case 1: { final int v = random.nextInt(); out.putShort(v); data.writeShort(v); break; }
                case 2: { final int v = random.nextInt(); out.putInt(v); data.writeInt(v); break; }
                case 3: { final long v = random.nextLong(); out.putLong(v); data.writeLong(v); break; }
                case 4:
                {
                    final byte[] b = new byte[random.nextInt(200)];
                    random.nextBytes(b);
                    out.putBytes(b, 0, b.length);
                    data.write(b);
                    break;
                }
                default:
                {
                    final byte[] b = new byte[random.nextInt(61)];
                    random.nextBytes(b);
                    final int at = out.claim(b.length + 3);
                    out.buffer().putBytes(at, b);
                    out.commit(b.length);
                    data.write(b);
                    break;
                }
            }
            assertEquals(expected.size(), out.position());
        }
        out.flush();
        assertArrayEquals(expected.toByteArray(), channel.written());
        assertThrows(IllegalStateException.class, () -> out.commit(1));
        assertThrows(IllegalArgumentException.class, () -> out.claim(65));
        assertThrows(IndexOutOfBoundsException.class, () -> out.putBytes(new byte[4], 2, 3));
    }

    @Test
    void inputReadsWhatDataOutputStreamWrote() throws IOException
    {
        final Random random = new Random(2);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream data = new DataOutputStream(bytes);
        final long[] values = new long[3000];
        final int[] kinds = new int[values.length];
        for (int i = 0; i < values.length; i++)
        {
            kinds[i] = random.nextInt(5);
            values[i] = random.nextLong();
            switch (kinds[i])
            {
                case 0: data.writeByte((int)values[i]); break;
                case 1: data.writeShort((int)values[i]); break;
                case 2: data.writeInt((int)values[i]); break;
                case 3: data.writeLong(values[i]); break;
                default: data.write(new byte[(int)(values[i] & 127)]); break;
            }
        }
        final ChannelInput in = new ChannelInput(MemoryChannel.of(bytes.toByteArray()), 64);
        final UnsafeBuffer sink = new UnsafeBuffer(new byte[128]);
        for (int i = 0; i < values.length; i++)
        {
            switch (kinds[i])
            {
                case 0: assertEquals((byte)values[i], in.readByte()); break;
                case 1: assertEquals((short)values[i], in.readShort()); break;
                case 2: assertEquals((int)values[i], in.readInt()); break;
                case 3: assertEquals(values[i], in.readLong()); break;
                default: in.readFully(sink, 0, (int)(values[i] & 127)); break;
            }
        }
        assertEquals(bytes.size(), in.position());
        assertTrue(in.atEnd());
        final PageStreamException ex = assertThrows(PageStreamException.class, in::readByte);
        assertEquals(bytes.size(), ex.streamOffset());
    }

    @Test
    void truncationNamesTheEndAndTheRecord() throws IOException
    {
        final ChannelInput in = new ChannelInput(MemoryChannel.of(new byte[] {1, 2, 3, 4, 5, 6}), 64);
        assertFalse(in.atEnd());
        assertEquals(0x0102, in.readUnsignedShort());
        in.markRecord();
        final PageStreamException ex = assertThrows(PageStreamException.class, in::readLong);
        assertEquals(6, ex.streamOffset());
        assertEquals("page stream offset 6: stream ends inside the record at offset 2: needed 8 bytes from offset 2, " +
            "only 4 left", ex.getMessage());
        // Nothing was consumed: the four bytes are still there.
        assertEquals(0x03040506, in.readInt());
        assertTrue(in.atEnd());
        assertThrows(IllegalArgumentException.class, () -> in.require(65));
    }

    @Test
    void requireKeepsBytesUntilSkipped() throws IOException
    {
        final byte[] content = new byte[200];
        new Random(3).nextBytes(content);
        final ChannelInput in = new ChannelInput(MemoryChannel.of(content), 64);
        in.readFully(new UnsafeBuffer(new byte[30]), 0, 30);
        final int at = in.require(64);
        for (int i = 0; i < 64; i++)
        {
            assertEquals(content[30 + i], in.buffer().getByte(at + i));
        }
        assertEquals(30, in.position());
        in.skip(64);
        assertEquals(94, in.position());
        assertThrows(IllegalArgumentException.class, () -> in.skip(1000));
    }
}
