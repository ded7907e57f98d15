package io.livemig.qemu;

import io.livemig.codec.ZeroPage;
import io.livemig.memory.GuestMemory;
import io.livemig.qemu.stream.QemuStreamReader;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.RamBlocks;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real-guest corpus from a real Linux guest's stream: its pages are pc.ram's as the stream left it, every
 * n-th; each pair's new version is a page the stream sent again; the figures add up. And a damaged corpus is
 * refused.
 */
class RealGuestCorpusTest
{
    @TempDir
    Path dir;

    @Test
    void aCorpusFromALinuxGuestsStream() throws IOException
    {
        final QemuRuns.Run run = QemuRuns.linuxWriting();
        final ObjectNode source = new ObjectMapper().createObjectNode().put("guest", "mix");
        final Path corpusDir = dir.resolve("corpus");
        RealGuestCorpus.write(run.stream(), source, corpusDir);
        final RealGuestCorpus corpus = RealGuestCorpus.load(corpusDir);
        assertTrue(corpus.pairCount() > 0);
        assertEquals("mix", corpus.meta().at("/source/guest").asText());
        try (FileChannel channel = FileChannel.open(run.stream(), StandardOpenOption.READ);
            RamBlocks blocks = RamBlocks.learned(4096, 1L << 30))
        {
            new QemuStreamReader(channel, blocks, PageStreamDialect.QEMU, 1 << 20).read();
            final GuestMemory ram = blocks.memory(blocks.indexOf("pc.ram"));
            final byte[] page = new byte[4096];
            long zero = 0;
            for (long p = 0; p < ram.pageCount(); p++)
            {
                ram.readPage(p, page, 0);
                zero += ZeroPage.isZero(page, 0, 4096) ? 1 : 0;
            }
            assertEquals((double)zero / ram.pageCount(), corpus.meta().path("zeroPageFraction").asDouble(), 1e-12);
            for (final int i : new int[] {0, 1, 777, RealGuestCorpus.PAGES - 1})
            {
                ram.readPage(i * ram.pageCount() / RealGuestCorpus.PAGES, page, 0);
                assertTrue(Arrays.equals(page, 0, 4096, corpus.pages(), i * 4096, (i + 1) * 4096), "page " + i);
            }
        }
        final long pairs = corpus.meta().path("pairs").asLong();
        assertEquals(pairs, corpus.meta().path("xbzrleUnchanged").asLong() + corpus.meta().path("xbzrleOverflow")
            .asLong() + corpus.meta().path("xbzrleEncoded").asLong());
        assertTrue(corpus.meta().path("pagesPerPass").size() >= 2, "a page sent again means a second pass");
    }

    @Test
    void aDamagedCorpusIsRefused() throws IOException
    {
        assertFalse(RealGuestCorpus.exists(dir));
        assertThrows(IOException.class, () -> RealGuestCorpus.load(dir));
        RealGuestCorpus.save(dir, new byte[RealGuestCorpus.PAGES * 4096], new byte[2 * 4096],
            new ObjectMapper().createObjectNode());
        assertEquals(1, RealGuestCorpus.load(dir).pairCount());
        Files.write(dir.resolve(RealGuestCorpus.PAIRS_FILE), new byte[4096]);
        assertTrue(assertThrows(IOException.class, () -> RealGuestCorpus.load(dir)).getMessage().contains("damaged"));
        assertThrows(IllegalArgumentException.class, () -> RealGuestCorpus.save(dir, new byte[4096], new byte[8192],
            new ObjectMapper().createObjectNode()));
    }
}
