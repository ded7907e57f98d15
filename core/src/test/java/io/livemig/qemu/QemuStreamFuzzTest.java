package io.livemig.qemu;

import io.livemig.qemu.stream.QemuStreamReader;
import io.livemig.stream.HostileBytes;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.RamBlocks;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target of the QEMU stream reader (scripts/fuzz QemuStreamFuzzTest): an input is a QEMU migration stream;
 * the seeds are real streams of QEMU 7.2 made by {@link QemuSeeds} (small guests, their page records thinned,
 * envelope, device state and VM description whole) and hand-made ones. Each input is read twice, through reads
 * of the whole input and of 1 to 61 bytes, into blocks learned from its MEM_SIZE within {@value #LIMIT} bytes:
 * each read must succeed or refuse cleanly ({@link HostileBytes}), and must not allocate beyond the limit.
 */
@Timeout(10)
class QemuStreamFuzzTest
{
    /** The most RAM an input may declare. */
    static final int LIMIT = 8 << 20;

    @FuzzTest
    void readStream(final byte[] stream)
    {
        for (final boolean chunked : new boolean[] {false, true})
        {
            HostileBytes.readOrRefuse(stream, () -> {
                final RamBlocks blocks = RamBlocks.learned(QemuStreamBuilder.PAGE, LIMIT);
                final BytesChannel channel = new BytesChannel(stream, chunked ? 61 : Integer.MAX_VALUE);
                return () -> {
                    try (blocks)
                    {
                        new QemuStreamReader(channel, blocks, PageStreamDialect.QEMU, 8192).read();
                    }
                    finally
                    {
                        assertTrue(blocks.totalBytes() <= LIMIT, blocks::toString);
                    }
                };
            });
        }
    }
}
