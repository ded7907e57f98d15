package io.livemig.dirty;

import java.util.BitSet;
import java.util.List;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import static io.livemig.dirty.DirtyLogKind.assertHolds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random operation sequences on each implementation give the same answers as {@link BitSet} models of the
 * log and of a second log it is harvested into, at every step and in a final enumeration. Seeded.
 */
class DirtyLogProperties
{
    enum Kind
    {
        MARK, IS_DIRTY, TEST_AND_CLEAR, CLEAR_RANGE, SET_ALL, CARDINALITY, NEXT_DIRTY, HARVEST, HARVEST_EXCLUSIVE, OR_WORD,
        TAKE_WORD, TARGET_TEST_AND_CLEAR, ENUMERATE, NEXT_DIRTY_IN, DRAIN
    }

    /** One operation; {@code a} and {@code b} are reduced modulo the log's shape when applied. */
    static final class Op
    {
        final Kind kind;
        final long a;
        final long b;

        Op(final Kind kind, final long a, final long b)
        {
            this.kind = kind;
            this.a = a;
            this.b = b;
        }

        @Override
        public String toString()
        {
            return kind + "(" + a + ", " + b + ")";
        }
    }

    /** A log shape: shift and page count, with the units around word boundaries. */
    static final class Shape
    {
        final int shift;
        final long pages;

        Shape(final int shift, final long units, final long lastUnitPages)
        {
            this.shift = shift;
            this.pages = ((units - 1) << shift) + Math.min(lastUnitPages, 1L << shift);
        }

        @Override
        public String toString()
        {
            return "shift " + shift + ", " + pages + " pages";
        }
    }

    @Provide
    Arbitrary<Shape> shapes()
    {
        return Combinators.combine(
            Arbitraries.of(0, 1, 5, 9),
            Arbitraries.of(1L, 2L, 63L, 64L, 65L, 127L, 128L, 130L, 4097L),
            Arbitraries.longs().between(1, 512)).as(Shape::new);
    }

    @Provide
    Arbitrary<List<Op>> ops()
    {
        final Arbitrary<Op> op = Combinators.combine(
            Arbitraries.of(Kind.class),
            Arbitraries.longs().between(0, Long.MAX_VALUE),
            Arbitraries.longs()).as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(80);
    }

    @Property(tries = 500, seed = "20261126")
    void behavesLikeBitSet(
        @ForAll final DirtyLogKind impl, @ForAll final DirtyLogKind targetImpl,
        @ForAll("shapes") final Shape shape, @ForAll("ops") final List<Op> ops)
    {
        final DirtyLog log = impl.create(shape.pages, shape.shift);
        final DirtyLog target = targetImpl.create(shape.pages, shape.shift);
        final BitSet model = new BitSet();
        final BitSet targetModel = new BitSet();
        final int units = (int)log.size();
        final int words = log.wordCount();
        for (final Op op : ops)
        {
            final int unit = (int)(op.a % units);
            switch (op.kind)
            {
                case MARK:
                    final long page = op.a % shape.pages;
                    log.mark(page);
                    model.set((int)(page >>> shape.shift));
                    break;
                case IS_DIRTY:
                    assertEquals(model.get(unit), log.isDirty(unit), op::toString);
                    break;
                case TEST_AND_CLEAR:
                    assertEquals(model.get(unit), log.testAndClear(unit), op::toString);
                    model.clear(unit);
                    break;
                case CLEAR_RANGE:
                    final int to = unit + (int)(Math.abs(op.b % (units + 1 - unit)));
                    log.clearRange(unit, to);
                    model.clear(unit, to);
                    break;
                case SET_ALL:
                    log.setAll();
                    model.set(0, units);
                    break;
                case CARDINALITY:
                    assertEquals(model.cardinality(), log.cardinality(), op::toString);
                    break;
                case NEXT_DIRTY:
                    final long from = op.a % (units + 2);
                    assertEquals(from >= units ? -1 : model.nextSetBit((int)from), log.nextDirty(from), op::toString);
                    break;
                case HARVEST:
                case HARVEST_EXCLUSIVE:
                    final BitSet fresh = (BitSet)model.clone();
                    fresh.andNot(targetModel);
                    assertEquals(fresh.cardinality(),
                        op.kind == Kind.HARVEST ? log.harvestInto(target) : log.harvestIntoExclusive(target), op::toString);
                    targetModel.or(model);
                    model.clear();
                    break;
                case OR_WORD:
                    final int w = (int)(op.a % words);
                    final long bits = op.b & validBits(units, w);
                    assertEquals(word(model, w), log.orWord(w, bits), op::toString);
                    setWord(model, w, word(model, w) | bits);
                    break;
                case TAKE_WORD:
                    final int t = (int)(op.a % words);
                    assertEquals(word(model, t), log.takeWord(t), op::toString);
                    setWord(model, t, 0);
                    break;
                case TARGET_TEST_AND_CLEAR:
                    assertEquals(targetModel.get(unit), target.testAndClear(unit), op::toString);
                    targetModel.clear(unit);
                    break;
                case ENUMERATE:
                    assertHolds(model, log);
                    break;
                case NEXT_DIRTY_IN:
                {
                    final long end = unit + Math.abs(op.b % (units + 2 - unit));
                    final int next = model.nextSetBit(unit);
                    assertEquals(next >= 0 && next < end ? next : -1, log.nextDirty(unit, end), op::toString);
                    break;
                }
                case DRAIN:
                {
                    // A batch of 1..70 units from a unit to an end, as a scanner's drain call.
                    final long end = unit + Math.abs(op.b % (units + 2 - unit));
                    final long[] out = new long[1 + (int)Math.abs((op.b >> 20) % 70)];
                    final int n = log.drain(unit, end, out, 0);
                    int expected = model.nextSetBit(unit);
                    for (int i = 0; i < n; i++)
                    {
                        assertEquals(expected, out[i], op::toString);
                        model.clear(expected);
                        expected = model.nextSetBit(expected + 1);
                    }
                    if (n < out.length)
                    {
                        assertTrue(expected < 0 || expected >= end, () -> op + ": left " + model);
                    }
                    break;
                }
                default:
                    throw new AssertionError(op);
            }
        }
        assertHolds(model, log);
        assertHolds(targetModel, target);
    }

    private static long validBits(final int units, final int word)
    {
        final int inWord = units - word * 64;
        return inWord >= 64 ? -1L : (1L << inWord) - 1;
    }

    private static long word(final BitSet bits, final int word)
    {
        final long[] longs = bits.get(word * 64, word * 64 + 64).toLongArray();
        return longs.length == 0 ? 0 : longs[0];
    }

    private static void setWord(final BitSet bits, final int word, final long value)
    {
        for (int i = 0; i < 64; i++)
        {
            bits.set(word * 64 + i, (value & (1L << i)) != 0);
        }
    }
}
