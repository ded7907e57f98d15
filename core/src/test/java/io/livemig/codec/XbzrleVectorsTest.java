package io.livemig.codec;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * QEMU's own encoder output (src/test/resources/xbzrle, see its README): every case encodes byte for byte,
 * with the same -1 and 0 answers, through the array API and through heap and off-heap buffers, and every
 * encoding decodes onto the old page to the new one with the position QEMU's decoder returned.
 */
class XbzrleVectorsTest
{
    static final int PAGE = 4096;

    record Case(String name, int encoderReturn, int decodeReturn, byte[] old, byte[] now, byte[] enc)
    {
        @Override
        public String toString()
        {
            return name;
        }
    }

    static List<Case> cases()
    {
        final byte[] manifest = TestPages.resource("/xbzrle/manifest.tsv");
        assertNotNull(manifest, "xbzrle/manifest.tsv on the test classpath");
        final List<Case> cases = new ArrayList<>();
        for (final String line : new String(manifest, StandardCharsets.US_ASCII).split("\n"))
        {
            final String[] f = line.split("\t");
            if (f.length < 5 || !f[0].matches("case\\d+"))
            {
                continue;
            }
            final String dir = "/xbzrle/" + f[0] + "/";
            final byte[] enc = TestPages.resource(dir + "enc.bin");
            final boolean overflow = TestPages.resource(dir + "overflow") != null;
            assertTrue(overflow ^ enc != null, f[0] + ": exactly one of enc.bin and overflow");
            cases.add(new Case(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[4]),
                TestPages.resource(dir + "old.bin"), TestPages.resource(dir + "new.bin"), enc));
        }
        assertEquals(24, cases.size(), "cases in manifest.tsv");
        return cases;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesAsQemuDoesWithArrays(final Case c)
    {
        final byte[] dst = new byte[PAGE];
        final int length = Xbzrle.encode(c.old, c.now, dst);
        assertEquals(c.encoderReturn, length, "encoder return");
        if (length > 0)
        {
            assertArrayEquals(c.enc, java.util.Arrays.copyOf(dst, length));
        }
        else if (length == 0)
        {
            assertEquals(0, c.enc.length);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesAsQemuDoesWithBuffers(final Case c)
    {
        // old off-heap, new on the heap at an odd offset, dst off-heap at an odd offset: all paths mixed
        final UnsafeBuffer old = TestPages.offHeap(c.old);
        final byte[] nowArray = new byte[PAGE + 3];
        System.arraycopy(c.now, 0, nowArray, 3, PAGE);
        final UnsafeBuffer now = new UnsafeBuffer(nowArray);
        final UnsafeBuffer dst = TestPages.guarded(new byte[PAGE], 5);
        final int length = Xbzrle.encode(old, 0, now, 3, PAGE, dst, 5, PAGE);
        assertEquals(c.encoderReturn, length, "encoder return");
        if (length > 0)
        {
            assertArrayEquals(c.enc, TestPages.bytes(dst, 5, length));
        }
        assertTrue(TestPages.guardsIntact(dst, 5, PAGE), "nothing written outside dst's capacity");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesOntoOldAsQemuDoes(final Case c)
    {
        if (c.enc == null)
        {
            return; // overflow: nothing to decode
        }
        final byte[] page = TestPages.copy(c.old);
        assertEquals(c.decodeReturn, Xbzrle.decode(c.enc, c.enc.length, page), "decode return");
        assertArrayEquals(c.now, page);

        final UnsafeBuffer guarded = TestPages.guarded(c.old, 7);
        final UnsafeBuffer src = TestPages.offHeap(c.enc);
        assertEquals(c.decodeReturn, Xbzrle.decode(src, 0, c.enc.length, guarded, 7, PAGE), "decode return");
        assertArrayEquals(c.now, TestPages.bytes(guarded, 7, PAGE));
        assertTrue(TestPages.guardsIntact(guarded, 7, PAGE));
    }
}
