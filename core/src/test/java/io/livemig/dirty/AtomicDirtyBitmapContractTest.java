package io.livemig.dirty;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link DirtyLogContractTest} on {@link AtomicDirtyBitmap}, and its bulk {@link AtomicDirtyBitmap#copyOf}. */
class AtomicDirtyBitmapContractTest extends DirtyLogContractTest
{
    AtomicDirtyBitmapContractTest()
    {
        super(DirtyLogKind.ATOMIC);
    }

    /** The model: the same words OR-ed in one at a time. */
    @Property(tries = 200)
    void copyOfEqualsTheWordsOredInOneByOne(@ForAll @LongRange(min = 1, max = 5000) final long pages,
                                           @ForAll final long seed)
    {
        final AtomicDirtyBitmap model = new AtomicDirtyBitmap(pages, 0);
        final long[] words = new long[model.wordCount()];
        final Random random = new Random(seed);
        for (int w = 0; w < words.length; w++)
        {
            final long valid = Math.min(64, pages - 64L * w);
            words[w] = random.nextLong() & (valid == 64 ? -1L : (1L << valid) - 1);
            model.orWord(w, words[w]);
        }
        final AtomicDirtyBitmap copy = AtomicDirtyBitmap.copyOf(pages, words);
        words[0] = ~words[0]; // a copy: the caller's array is not the bitmap's
        assertEquals(model.cardinality(), copy.cardinality());
        final long[] got = new long[model.wordCount()];
        final long[] want = new long[model.wordCount()];
        for (int w = 0; w < got.length; w++)
        {
            got[w] = copy.takeWord(w);
            want[w] = model.takeWord(w);
        }
        assertArrayEquals(want, got);
    }

    @Test
    void copyOfRefusesTheWrongShape()
    {
        assertThrows(IllegalArgumentException.class, () -> AtomicDirtyBitmap.copyOf(65, new long[1]));
        assertThrows(IndexOutOfBoundsException.class, () -> AtomicDirtyBitmap.copyOf(65, new long[] {0, 2}));
        assertEquals(65, AtomicDirtyBitmap.copyOf(65, new long[] {-1L, 1}).cardinality());
    }
}
