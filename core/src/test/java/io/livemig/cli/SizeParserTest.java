package io.livemig.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SizeParserTest
{
    @Test
    void parsesBinarySuffixes()
    {
        assertEquals(4096, SizeParser.parse("4096"));
        assertEquals(4096, SizeParser.parse("4k"));
        assertEquals(4096, SizeParser.parse("4K"));
        assertEquals(64L << 20, SizeParser.parse("64m"));
        assertEquals(1L << 30, SizeParser.parse("1G"));
        assertEquals(2L << 40, SizeParser.parse("2t"));
        assertEquals(0, SizeParser.parse("0"));
        assertEquals((Long.MAX_VALUE >>> 10) << 10, SizeParser.parse((Long.MAX_VALUE >>> 10) + "k"));
    }

    @Test
    void refusesWhatIsNotASize()
    {
        for (final String bad : new String[] {"", "k", "-4k", "4x", "4kb", "1.5g", " ", "0x10", "4 k"})
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> SizeParser.parse(bad));
            assertTrue(ex.getMessage().contains("size"), ex.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> SizeParser.parse(null));
        assertThrows(IllegalArgumentException.class, () -> SizeParser.parse("9223372036854775808"));
        assertThrows(IllegalArgumentException.class, () -> SizeParser.parse(((Long.MAX_VALUE >>> 10) + 1) + "k"));
    }

    @Test
    void formatsInTheLargestUnit()
    {
        assertEquals("64k", SizeParser.format(65536));
        assertEquals("1g", SizeParser.format(1L << 30));
        assertEquals("1536m", SizeParser.format(3L << 29));
        assertEquals("4097", SizeParser.format(4097));
        assertEquals("0", SizeParser.format(0));
    }
}
