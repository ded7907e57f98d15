package io.livemig.qemu;

import io.livemig.qemu.stream.PageHistory;
import io.livemig.qemu.stream.QemuStreamReader;
import io.livemig.qemu.stream.XbzrleReplay;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.RamBlocks;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every XBZRLE record that QEMU 7.2 wrote for a guest writing through its migration is made byte for byte by
 * livemig's encoder from the page the destination held and the page the record made, and livemig's decoder
 * rebuilds that page from it.
 */
class QemuXbzrleRecordsTest
{
    static XbzrleReplay replay(final QemuRuns.Run run) throws IOException
    {
        try (FileChannel channel = FileChannel.open(run.stream(), StandardOpenOption.READ);
            RamBlocks blocks = RamBlocks.learned(4096, 1L << 30))
        {
            final XbzrleReplay replay = new XbzrleReplay(channel, 4096);
            final QemuStreamReader reader = new QemuStreamReader(channel, blocks, PageStreamDialect.QEMU, 1 << 20);
            reader.setListener(new PageHistory(blocks, replay));
            reader.read();
            return replay;
        }
    }

    @Test
    void counterGuest() throws IOException
    {
        final XbzrleReplay replay = replay(QemuRuns.counterWriting());
        assertTrue(replay.records() > 100, "XBZRLE records: " + replay.records());
        assertEquals(replay.records(), replay.identical(), "first mismatch at " + replay.firstMismatch());
        assertEquals(replay.records(), replay.rebuilt(), "first mismatch at " + replay.firstMismatch());
    }

    @Test
    void linuxGuest() throws IOException
    {
        final XbzrleReplay replay = replay(QemuRuns.linuxWriting());
        assertEquals(replay.records(), replay.identical(), "first mismatch at " + replay.firstMismatch());
        assertEquals(replay.records(), replay.rebuilt(), "first mismatch at " + replay.firstMismatch());
    }
}
