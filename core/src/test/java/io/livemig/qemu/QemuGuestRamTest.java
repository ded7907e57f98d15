package io.livemig.qemu;

import io.livemig.memory.GuestMemory;
import io.livemig.qemu.guest.CounterGuestImage;
import io.livemig.qemu.stream.QemuStream;
import io.livemig.qemu.stream.QemuStreamReader;
import io.livemig.qemu.stream.RamComparison;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.RamBlocks;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real QEMU 7.2 guest that stopped writing before its migration: the RAM that livemig rebuilds from QEMU's
 * stream equals QEMU's dump of the source's memory page for page, without and with XBZRLE (the PC hole
 * 0xA0000-0xFFFFF left out: a physical dump reads VGA and BIOS there).
 */
class QemuGuestRamTest
{
    @ParameterizedTest(name = "xbzrle {0}")
    @ValueSource(booleans = {false, true})
    void ramFromTheStreamEqualsTheDump(final boolean xbzrle) throws IOException
    {
        final QemuRuns.Run run = QemuRuns.counterStopped(xbzrle);
        assertTrue(run.outcome().completed(), run.outcome().status()::toString);
        final byte[] dump = Files.readAllBytes(run.dump());
        try (FileChannel channel = FileChannel.open(run.stream(), StandardOpenOption.READ);
            RamBlocks blocks = RamBlocks.learned(4096, 1L << 30))
        {
            final QemuStream stream = new QemuStreamReader(channel, blocks, PageStreamDialect.QEMU, 1 << 20).read();
            assertTrue(stream.ramSections() >= 3, "start, parts, end: " + stream.ramSections());
            final GuestMemory ram = blocks.memory(blocks.indexOf("pc.ram"));
            assertEquals(dump.length, ram.size());
            final byte[] page = new byte[4096];
            int compared = 0;
            for (int p = 0; p < ram.pageCount(); p++)
            {
                if (RamComparison.Range.PC_HOLE.overlaps((long)p * 4096, 4096))
                {
                    continue;
                }
                ram.readPage(p, page, 0);
                assertTrue(Arrays.equals(page, 0, 4096, dump, p * 4096, (p + 1) * 4096), "page " + p + " differs");
                compared++;
            }
            assertEquals(ram.pageCount() - 96, compared);
            // the guest stopped after a whole pass: each of its pages holds the same count
            final byte count = dump[CounterGuestImage.FIRST_ADDRESS];
            for (int p = 0; p < 1024; p++)
            {
                assertEquals(count, dump[CounterGuestImage.FIRST_ADDRESS + p * 4096], "counter page " + p);
            }
            assertEquals(0, RamComparison.compare(ram, run.dump(), List.of(RamComparison.Range.PC_HOLE))
                .differing().size());
        }
    }
}
