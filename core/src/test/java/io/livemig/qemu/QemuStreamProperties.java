package io.livemig.qemu;

import io.livemig.codec.Xbzrle;
import io.livemig.qemu.stream.QemuStreamReader;
import io.livemig.stream.HostileBytes;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.PageStreamException;
import io.livemig.stream.RamBlocks;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.statistics.Statistics;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static io.livemig.qemu.QemuStreamBuilder.PAGE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Properties of the QEMU stream reader against a model: a random valid stream (1 to 3 blocks, up to 6 RAM
 * sections of ZERO, PAGE and XBZRLE records as QEMU frames them, CONTINUE wherever the block is the previous
 * record's, across sections too, MULTIFD_FLUSH, commands, device sections and the VM description) leaves each
 * block exactly as the model's pages; and any mutant of one (bytes changed, cut short, a run dropped) is read
 * or refused cleanly, one line naming an offset in the input, within the heap budget of {@link HostileBytes}.
 */
class QemuStreamProperties
{
    /** A generated stream and the blocks it leaves. */
    record Generated(byte[] bytes, List<String> names, List<byte[]> blocks)
    {
    }

    static Generated generate(final long seed)
    {
        final Random random = new Random(seed);
        final int blockCount = 1 + random.nextInt(3);
        final List<String> names = new ArrayList<>();
        final List<byte[]> blocks = new ArrayList<>();
        final Object[] memSize = new Object[2 * blockCount];
        for (int b = 0; b < blockCount; b++)
        {
            names.add(b == 0 ? "pc.ram" : "blk" + b + "/rom@etc");
            blocks.add(new byte[(1 + random.nextInt(6)) * PAGE]);
            memSize[2 * b] = names.get(b);
            memSize[2 * b + 1] = blocks.get(b).length;
        }
        final int id = random.nextInt(5);
        final QemuStreamBuilder s = QemuStreamBuilder.standard().ramStart(id, memSize);
        int last = -1;
        final byte[] page = new byte[PAGE];
        final byte[] delta = new byte[PAGE];
        final int sections = 1 + random.nextInt(6);
        for (int section = 0; section < sections; section++)
        {
            if (section == sections - 1)
            {
                s.end(id);
            }
            else
            {
                s.part(id);
            }
            for (int r = 0, records = random.nextInt(8); r < records; r++)
            {
                if (random.nextInt(10) == 0)
                {
                    s.u64(QemuStreamBuilder.MULTIFD_FLUSH);
                }
                final int b = random.nextInt(blockCount);
                final byte[] block = blocks.get(b);
                final int p = random.nextInt(block.length / PAGE);
                final String name = b == last ? null : names.get(b);
                last = b;
                final int kind = random.nextInt(3);
                if (kind == 0)
                {
                    Arrays.fill(block, p * PAGE, (p + 1) * PAGE, (byte)0);
                    s.zero(name, (long)p * PAGE);
                    continue;
                }
                System.arraycopy(block, p * PAGE, page, 0, PAGE);
                for (int c = 0, changes = 1 + random.nextInt(kind == 1 ? 4000 : 20); c < changes; c++)
                {
                    page[random.nextInt(PAGE)] = (byte)random.nextInt(256);
                }
                final int length = kind == 2 ?
                    Xbzrle.encode(Arrays.copyOfRange(block, p * PAGE, (p + 1) * PAGE), page, delta) : -1;
                if (length > 0)
                {
                    s.xbzrle(name, (long)p * PAGE, Arrays.copyOf(delta, length));
                }
                else
                {
                    s.page(name, (long)p * PAGE, page);
                }
                System.arraycopy(page, 0, block, p * PAGE, PAGE);
            }
            s.eos().footer(id);
            if (random.nextInt(4) == 0)
            {
                s.command(2, new byte[] {0, 0, 0, (byte)section});
            }
        }
        final int devices = random.nextInt(3);
        final Object[] described = new Object[2 * devices];
        for (int d = 0; d < devices; d++)
        {
            final byte[] state = new byte[random.nextInt(40)];
            random.nextBytes(state);
            s.device(10 + d, "dev" + d, d, state);
            described[2 * d] = "dev" + d;
            described[2 * d + 1] = d;
        }
        s.eof();
        if (devices > 0 || random.nextBoolean())
        {
            s.description(described);
        }
        return new Generated(s.bytes(), names, blocks);
    }

    @Property(tries = 300)
    void aValidStreamLeavesTheModelsPages(@ForAll final long seed) throws IOException
    {
        final Generated g = generate(seed);
        try (QemuStreamReaderTest.Read r = QemuStreamReaderTest.read(g.bytes(), 1 << 20, 1 + (int)(seed & 63)))
        {
            assertEquals(g.names().size(), r.blocks().count());
            for (int b = 0; b < g.names().size(); b++)
            {
                final int index = r.blocks().indexOf(g.names().get(b));
                final byte[] actual = new byte[g.blocks().get(b).length];
                r.blocks().memory(index).getBytes(0, actual, 0, actual.length);
                assertArrayEquals(g.blocks().get(b), actual, g.names().get(b));
            }
            assertEquals(g.bytes().length, r.stream().bytes());
        }
    }

    @Property(tries = 1000)
    void everyMutantIsReadOrRefusedCleanly(@ForAll final long seed)
    {
        final Random random = new Random(seed);
        final byte[] bytes = mutate(generate(random.nextLong()).bytes(), random);
        final PageStreamException refusal = HostileBytes.readOrRefuse(bytes, () -> {
            final RamBlocks blocks = RamBlocks.learned(PAGE, 1 << 20);
            return () -> {
                try (blocks)
                {
                    new QemuStreamReader(new BytesChannel(bytes, 1 + random.nextInt(100)), blocks,
                        PageStreamDialect.QEMU, 8192).read();
                }
            };
        });
        Statistics.label("outcome").collect(refusal == null ? "read" : "refused");
    }

    /** Changes 1 to 4 bytes, cuts the stream short, or drops a run of it. */
    static byte[] mutate(final byte[] bytes, final Random random)
    {
        switch (random.nextInt(3))
        {
            case 0:
            {
                final byte[] m = bytes.clone();
                for (int i = 0, n = 1 + random.nextInt(4); i < n; i++)
                {
                    m[random.nextInt(m.length)] ^= (byte)(1 + random.nextInt(255));
                }
                return m;
            }
            case 1:
                return Arrays.copyOf(bytes, random.nextInt(bytes.length));
            default:
            {
                final int from = random.nextInt(bytes.length);
                final int length = Math.min(bytes.length - from, 1 + random.nextInt(16));
                final byte[] m = new byte[bytes.length - length];
                System.arraycopy(bytes, 0, m, 0, from);
                System.arraycopy(bytes, from + length, m, from, m.length - from);
                return m;
            }
        }
    }
}
