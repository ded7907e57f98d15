package io.livemig.bench.state;

import io.livemig.codec.Xbzrle;
import io.livemig.qemu.RealGuestCorpus;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The real-guest input of the codec benchmarks: the parameter value {@value #INPUT} (of {@code pattern},
 * {@code input}, {@code data} or {@code mix}) makes a benchmark read the pages of a Linux guest that QEMU
 * migrated ({@link RealGuestCorpus}: pages of its RAM, and pairs of a page's versions from successive passes)
 * instead of a synthetic pattern. The runner adds these rows when a corpus can be had and names its directory
 * to the forks with {@code -D}{@value RealGuestCorpus#PROPERTY}; without the property, the cache's corpus is
 * used. A working set larger than the corpus repeats it.
 *
 * <p>Thread-safe: the corpus is loaded once per JVM, under a lock, and only read after.
 */
public final class RealGuestPages
{
    /** The parameter value of the real-guest input. */
    public static final String INPUT = "REAL_GUEST";

    private static RealGuestCorpus corpus;
    private static int[] encodable;

    private RealGuestPages()
    {
    }

    /** @return whether {@code value} names the real-guest input. */
    public static boolean is(final String value)
    {
        return INPUT.equals(value);
    }

    /**
     * @return the corpus of this JVM.
     * @throws IllegalStateException if there is none: the message says where it was looked for.
     */
    public static synchronized RealGuestCorpus corpus()
    {
        if (corpus == null)
        {
            final Path dir = Path.of(System.getProperty(RealGuestCorpus.PROPERTY,
                RealGuestCorpus.defaultDir().toString()));
            try
            {
                corpus = RealGuestCorpus.load(dir);
            }
            catch (final IOException ex)
            {
                throw new IllegalStateException(INPUT + " needs the real-guest corpus: " + ex.getMessage(), ex);
            }
        }
        return corpus;
    }

    /** Makes {@code c} this JVM's corpus (tests). */
    public static synchronized void use(final RealGuestCorpus c)
    {
        corpus = c;
        encodable = null;
    }

    /** @return the indexes of the pairs whose XBZRLE encoding fits in a page. */
    private static synchronized int[] encodablePairs()
    {
        if (encodable == null)
        {
            final RealGuestCorpus c = corpus();
            final byte[] old = new byte[OffHeapPages.PAGE_SIZE];
            final byte[] now = new byte[OffHeapPages.PAGE_SIZE];
            final byte[] delta = new byte[OffHeapPages.PAGE_SIZE];
            final int[] chosen = new int[c.pairCount()];
            int n = 0;
            for (int i = 0; i < c.pairCount(); i++)
            {
                System.arraycopy(c.pairs(), i * 2 * OffHeapPages.PAGE_SIZE, old, 0, OffHeapPages.PAGE_SIZE);
                System.arraycopy(c.pairs(), (i * 2 + 1) * OffHeapPages.PAGE_SIZE, now, 0, OffHeapPages.PAGE_SIZE);
                if (Xbzrle.encode(old, now, delta) >= 0)
                {
                    chosen[n++] = i;
                }
            }
            if (n == 0)
            {
                throw new IllegalStateException("no pair of the real-guest corpus in " + c.dir() + " encodes");
            }
            encodable = java.util.Arrays.copyOf(chosen, n);
        }
        return encodable;
    }

    /** Copies the corpus's pages into pages {@code 0..count-1} of {@code dst}, repeating them if need be. */
    public static void fillPages(final UnsafeBuffer dst, final int count)
    {
        final byte[] pages = corpus().pages();
        final int n = pages.length / OffHeapPages.PAGE_SIZE;
        for (int p = 0; p < count; p++)
        {
            dst.putBytes(OffHeapPages.offset(p), pages, OffHeapPages.offset(p % n), OffHeapPages.PAGE_SIZE);
        }
    }

    /**
     * Copies the corpus's pairs into pages {@code 0..count-1} of {@code old} and {@code now}, repeating them.
     *
     * @param encodable only the pairs whose XBZRLE encoding fits in a page (what a stream carries as deltas:
     *                  the others are sent whole), for the decoder.
     */
    public static void fillPairs(final UnsafeBuffer old, final UnsafeBuffer now, final int count,
        final boolean encodable)
    {
        final RealGuestCorpus c = corpus();
        final byte[] pairs = c.pairs();
        final int[] chosen = encodable ? encodablePairs() : null;
        for (int p = 0; p < count; p++)
        {
            final int pair = chosen == null ? p % c.pairCount() : chosen[p % chosen.length];
            final int at = pair * 2 * OffHeapPages.PAGE_SIZE;
            old.putBytes(OffHeapPages.offset(p), pairs, at, OffHeapPages.PAGE_SIZE);
            now.putBytes(OffHeapPages.offset(p), pairs, at + OffHeapPages.PAGE_SIZE, OffHeapPages.PAGE_SIZE);
        }
    }
}
