package io.livemig.qemu;

import io.livemig.memory.GuestMemory;
import io.livemig.qemu.guest.GuestKind;
import io.livemig.qemu.guest.QemuGuest;
import io.livemig.qemu.guest.QemuMigration;
import io.livemig.qemu.stream.QemuStreamReader;
import io.livemig.qemu.stream.RamComparison;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.RamBlocks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One record parser, checked against QEMU's own: QEMU 7.2 started as a destination that loads the stream from
 * the file ({@code -incoming}) holds, in every page of pc.ram that its physical dump shows (all but the PC hole
 * 0xA0000-0xFFFFF, where the dump reads VGA and BIOS), exactly the RAM livemig rebuilt from the same stream, for
 * guests that wrote through their migration (many XBZRLE records).
 */
class QemuDestinationAgreementTest
{
    @TempDir
    Path dir;

    private void agree(final QemuRuns.Run run, final GuestKind kind, final long memory) throws IOException
    {
        final Path dump = dir.resolve("destination.dump");
        try (QemuGuest destination = QemuGuest.incoming(QemuRuns.images(), kind, memory, 1024, "tcg", dir, 120_000,
            run.stream()))
        {
            QemuMigration.load(destination, dump, 60_000);
        }
        final byte[] theirs = Files.readAllBytes(dump);
        try (FileChannel channel = FileChannel.open(run.stream(), StandardOpenOption.READ);
            RamBlocks blocks = RamBlocks.learned(4096, 1L << 30))
        {
            new QemuStreamReader(channel, blocks, PageStreamDialect.QEMU, 1 << 20).read();
            final GuestMemory ours = blocks.memory(blocks.indexOf("pc.ram"));
            assertEquals(ours.size(), theirs.length);
            final byte[] page = new byte[4096];
            final List<Long> differ = new ArrayList<>();
            for (long p = 0; p < ours.pageCount(); p++)
            {
                if (RamComparison.Range.PC_HOLE.overlaps(p * 4096, 4096))
                {
                    continue;
                }
                ours.readPage(p, page, 0);
                if (!Arrays.equals(page, 0, 4096, theirs, (int)(p * 4096), (int)(p * 4096 + 4096)))
                {
                    differ.add(p);
                }
            }
            assertEquals(List.of(), differ, "pages where QEMU's destination and livemig disagree");
        }
    }

    @Test
    void counterGuest() throws IOException
    {
        agree(QemuRuns.counterWriting(), GuestKind.COUNTER, 64L << 20);
    }

    @Test
    void linuxGuest() throws IOException
    {
        agree(QemuRuns.linuxWriting(), GuestKind.MIX, 128L << 20);
    }
}
