package io.livemig.stream;

/**
 * How one page crossed the wire. Immutable; safe everywhere.
 */
public enum PageKind
{
    /** A ZERO record: the page was all zero; one fill byte on the wire. */
    ZERO,
    /** A PAGE record: the page in full. */
    NORMAL,
    /** An XBZRLE record: the delta from the version the destination holds. */
    XBZRLE,
    /** An LZ4 record (livemig extension): the page compressed as one raw LZ4 block. */
    LZ4,
    /** Nothing was sent: XBZRLE found the page equal to the version the destination holds. */
    UNCHANGED;

    private static final PageKind[] VALUES = values();

    /** @return the kind with this {@link #ordinal()}, without allocating. */
    public static PageKind ofOrdinal(final int ordinal)
    {
        return VALUES[ordinal];
    }

    /** @return the number of kinds. */
    public static int count()
    {
        return VALUES.length;
    }
}
