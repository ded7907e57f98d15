package io.livemig.bench.codec;

import io.livemig.bench.state.OffHeapPages;
import io.livemig.bench.state.XbzrleInputs;
import io.livemig.bench.state.ZeroPageInputs;
import io.livemig.codec.Lz4PageCodec;
import io.livemig.codec.Xbzrle;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each codec benchmark computes the right answer on its prepared inputs, and its baseline reads what it
 * claims to: run on small working sets (the inputs are built the same way as for 64 MiB).
 */
class CodecBenchmarksTest
{
    private static final int PAGES = 64;

    @ParameterizedTest
    @EnumSource(ZeroPageInputs.class)
    void zeroPageAnswersAgreeWithTheInputAndTheBaselines(final ZeroPageInputs input)
    {
        for (final String workingSet : new String[] {"page", "64m"})
        {
            final ZeroPageBenchmark bench = new ZeroPageBenchmark();
            bench.input = input.name();
            bench.workingSet = workingSet;
            bench.operations = PAGES;
            bench.setup();
            try
            {
                final int expected = input.isZero() ? PAGES : 0;
                assertEquals(expected, bench.isZero(), input + " " + workingSet);
                assertEquals(expected, bench.isZeroVector(), "heap copy, path of this JVM: " + input + " " + workingSet);
                assertEquals(expected, bench.isZeroOffHeapVector(), "off-heap, path of this JVM: " + input + " " +
                    workingSet);
                assertEquals(expected, bench.baselineArraysMismatch(), input + " " + workingSet);
                final int pagesRead = "page".equals(workingSet) ? 1 : PAGES;
                assertEquals(PAGES / pagesRead * plainSum(bench.buffer, pagesRead), bench.baselineMemoryRead(),
                    "the baseline reads every word of every page checked");
            }
            finally
            {
                bench.tearDown();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(XbzrleInputs.Pattern.class)
    void encodeGivesEachPatternsAnswerAndDecodesBack(final XbzrleInputs.Pattern pattern)
    {
        final XbzrleEncodeBenchmark bench = new XbzrleEncodeBenchmark();
        bench.pattern = pattern.name();
        bench.pages = PAGES;
        bench.setup();
        try
        {
            long expected = 0;
            final byte[] dst = new byte[OffHeapPages.PAGE_SIZE];
            for (int p = 0; p < PAGES; p++)
            {
                final byte[] old = page(bench.oldPages, p);
                final byte[] now = page(bench.newPages, p);
                final int length = Xbzrle.encode(old, now, dst);
                switch (pattern)
                {
                    case UNCHANGED: assertEquals(0, length); break;
                    case RANDOM: assertEquals(-1, length); break;
                    case EVERY_16TH: assertEquals(768, length); break;
                    default: assertTrue(length > 0, pattern + " page " + p + ": " + length);
                }
                final double changed = changedFraction(old, now);
                if (pattern == XbzrleInputs.Pattern.SPARSE_10)
                {
                    assertTrue(changed > 0.03 && changed < 0.2, "about 10 % changed: " + changed);
                }
                if (pattern == XbzrleInputs.Pattern.DENSE_50)
                {
                    assertTrue(changed > 0.35 && changed < 0.65, "about 50 % changed: " + changed);
                }
                if (length > 0)
                {
                    Xbzrle.decode(dst, length, old);
                    assertArrayEquals(now, old, "decode(encode(old, new), old) == new");
                }
                expected += length;
            }
            assertEquals(expected, bench.encode(), "the benchmark's sum of results");
            assertEquals(expected, bench.encodeVector(), "the same on heap copies, on this JVM's path");
            assertEquals(plainSum(bench.newPages, PAGES), bench.baselineMemoryRead());
        }
        finally
        {
            bench.tearDown();
        }
    }

    @ParameterizedTest
    @EnumSource(value = XbzrleInputs.Pattern.class, names = "RANDOM", mode = EnumSource.Mode.EXCLUDE)
    void decodeTurnsEveryOldPageIntoTheNewOne(final XbzrleInputs.Pattern pattern)
    {
        final XbzrleDecodeBenchmark bench = new XbzrleDecodeBenchmark();
        bench.pattern = pattern.name();
        bench.pages = PAGES;
        bench.setup();
        try
        {
            long expected = 0;
            for (int p = 0; p < PAGES; p++)
            {
                expected += bench.deltaLength[p] == 0 ? 0 : lastChange(page(bench.targetPages, p), page(bench.inputs.newPages(), p)) + 1;
            }
            assertEquals(expected, bench.decode(), "sum of decode positions");
            for (int p = 0; p < PAGES; p++)
            {
                assertArrayEquals(page(bench.inputs.newPages(), p), page(bench.targetPages, p), "page " + p);
            }
            assertEquals(expected, bench.decode(), "decoding again does the same work");
            assertEquals(plainSum(bench.targetPages, PAGES), bench.baselineMemoryRead());
        }
        finally
        {
            bench.tearDown();
        }
    }

    @Test
    void lz4CompressesDecompressesAndCopiesEveryPage()
    {
        for (final String data : new String[] {"TEXT", "RANDOM", "MOSTLY_ZERO"})
        {
            final Lz4Benchmark bench = new Lz4Benchmark();
            bench.data = data;
            bench.pages = PAGES;
            bench.setup();
            try
            {
                final Lz4PageCodec codec = new Lz4PageCodec(OffHeapPages.PAGE_SIZE);
                final UnsafeBuffer dst = new UnsafeBuffer(new byte[codec.maxCompressedLength()]);
                long expected = 0;
                for (int p = 0; p < PAGES; p++)
                {
                    final int length = codec.compress(bench.sourcePages, OffHeapPages.offset(p), dst, 0);
                    assertEquals("RANDOM".equals(data), length == -1, data + " page " + p + ": " + length);
                    expected += length;
                }
                assertEquals(expected, bench.compress(), data);
                assertEquals(PAGES, bench.decompress(), data + ": every block decompresses to one page");
                assertEquals(0, bench.destinationPages.compareTo(bench.sourcePages), data + ": pages restored");
                bench.destinationPages.setMemory(0, bench.destinationPages.capacity(), (byte)0);
                bench.baselineArraycopy();
                assertEquals(0, bench.destinationPages.compareTo(bench.sourcePages), data + ": pages copied");
            }
            finally
            {
                bench.tearDown();
            }
        }
    }

    /** The sum of every native-order word of the first {@code pages} pages, read plainly. */
    private static long plainSum(final UnsafeBuffer buffer, final int pages)
    {
        final ByteBuffer bytes = ByteBuffer.wrap(page(buffer, 0, pages)).order(ByteOrder.nativeOrder());
        long sum = 0;
        while (bytes.hasRemaining())
        {
            sum += bytes.getLong();
        }
        return sum;
    }

    private static byte[] page(final UnsafeBuffer buffer, final int page)
    {
        return page(buffer, page, 1);
    }

    private static byte[] page(final UnsafeBuffer buffer, final int page, final int count)
    {
        final byte[] bytes = new byte[count * OffHeapPages.PAGE_SIZE];
        buffer.getBytes(OffHeapPages.offset(page), bytes);
        return bytes;
    }

    private static double changedFraction(final byte[] old, final byte[] now)
    {
        int changed = 0;
        for (int i = 0; i < old.length; i++)
        {
            changed += old[i] != now[i] ? 1 : 0;
        }
        return (double)changed / old.length;
    }

    private static int lastChange(final byte[] old, final byte[] now)
    {
        for (int i = old.length - 1; i >= 0; i--)
        {
            if (old[i] != now[i])
            {
                return i;
            }
        }
        return -1;
    }
}
