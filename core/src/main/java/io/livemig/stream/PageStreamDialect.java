package io.livemig.stream;

import static io.livemig.stream.PageStreamDescriptor.CONTINUE;
import static io.livemig.stream.PageStreamDescriptor.EOS;
import static io.livemig.stream.PageStreamDescriptor.KNOWN_FLAGS;
import static io.livemig.stream.PageStreamDescriptor.LZ4;
import static io.livemig.stream.PageStreamDescriptor.MEM_SIZE;
import static io.livemig.stream.PageStreamDescriptor.PAGE;
import static io.livemig.stream.PageStreamDescriptor.PAGE_KIND_FLAGS;
import static io.livemig.stream.PageStreamDescriptor.QEMU_COMPRESS_PAGE;
import static io.livemig.stream.PageStreamDescriptor.QEMU_MULTIFD_FLUSH;
import static io.livemig.stream.PageStreamDescriptor.XBZRLE;
import static io.livemig.stream.PageStreamDescriptor.ZERO;

/**
 * Which records a {@link io.livemig.stream.read.PageStreamReader} accepts: livemig's own page stream ({@link #LIVEMIG}, exactly as
 * {@code page-stream.md} sets it out), or the RAM section of a QEMU migration stream ({@link #QEMU}, as {@code
 * qemu-stream.md} sets it out). The framing is the same; they differ in four places:
 *
 * <table>
 *   <caption>What each dialect accepts</caption>
 *   <tr><th></th><th>livemig</th><th>QEMU</th></tr>
 *   <tr><td>LZ4 (0x400)</td><td>yes (livemig's extension)</td><td>no: QEMU has no such record</td></tr>
 *   <tr><td>MULTIFD_FLUSH (0x200)</td><td>no</td><td>yes, a record of its own without payload or offset
 *       (QEMU 8+ with multifd)</td></tr>
 *   <tr><td>CONTINUE on the first page record after EOS</td><td>no: each iteration names its first block</td>
 *       <td>yes, when an earlier section named a block: QEMU's destination keeps the last block across
 *       sections, and its source relies on that</td></tr>
 *   <tr><td>after each MEM_SIZE block</td><td>nothing</td><td>a {@code be64} address of the block, with
 *       {@link #withBlockAddresses()} (QEMU's {@code x-ignore-shared} capability)</td></tr>
 * </table>
 * QEMU's FULL (0x1), HOOK (0x80, RDMA) and COMPRESS_PAGE (0x100, the {@code compress} capability) are refused
 * by both. Immutable; thread-safe.
 */
public final class PageStreamDialect
{
    /** livemig's page stream. */
    public static final PageStreamDialect LIVEMIG =
        new PageStreamDialect("livemig", KNOWN_FLAGS, PAGE_KIND_FLAGS, false, false);

    /** The RAM records of a QEMU migration stream, without block addresses in MEM_SIZE. */
    public static final PageStreamDialect QEMU = new PageStreamDialect("QEMU",
        ZERO | MEM_SIZE | PAGE | EOS | CONTINUE | XBZRLE | QEMU_MULTIFD_FLUSH, ZERO | PAGE | XBZRLE, true, false);

    private final String name;
    private final int knownFlags;
    private final int pageKindFlags;
    private final boolean qemu;
    private final boolean blockAddresses;

    private PageStreamDialect(final String name, final int knownFlags, final int pageKindFlags, final boolean qemu,
        final boolean blockAddresses)
    {
        this.name = name;
        this.knownFlags = knownFlags;
        this.pageKindFlags = pageKindFlags;
        this.qemu = qemu;
        this.blockAddresses = blockAddresses;
    }

    /**
     * @return this QEMU dialect with a {@code be64} address after each MEM_SIZE block, as QEMU writes it
     *         with the {@code x-ignore-shared} capability on.
     * @throws IllegalStateException for the livemig dialect, which has no such field.
     */
    public PageStreamDialect withBlockAddresses()
    {
        if (!qemu)
        {
            throw new IllegalStateException("only a QEMU stream has block addresses in MEM_SIZE");
        }
        return new PageStreamDialect(name + " (x-ignore-shared)", knownFlags, pageKindFlags, true, true);
    }

    /** @return the flags this dialect knows; any other bit below the page size is refused. */
    public int knownFlags()
    {
        return knownFlags;
    }

    /** @return the flags of which a page record carries exactly one. */
    public int pageKindFlags()
    {
        return pageKindFlags;
    }

    /** @return whether this is QEMU's dialect (MULTIFD_FLUSH records, a block kept across EOS). */
    public boolean isQemu()
    {
        return qemu;
    }

    /** @return whether each MEM_SIZE block is followed by a {@code be64} address. */
    public boolean blockAddresses()
    {
        return blockAddresses;
    }

    /**
     * Checks a page record's flags: only flags this dialect knows, none of those that stand alone, exactly one
     * page kind.
     *
     * @throws PageStreamException at {@code start}, naming the flags and what the dialect allows.
     */
    public void checkPageFlags(final long start, final int flags) throws PageStreamException
    {
        if ((flags & ~knownFlags) != 0)
        {
            throw new PageStreamException(start, "undefined flags " +
                PageStreamDescriptor.describeFlags(flags & ~knownFlags) + " in header flags " +
                PageStreamDescriptor.describeFlags(flags) + (!qemu ? "" : (flags & LZ4) != 0 ?
                " (LZ4 is livemig's own record, not QEMU's)" : (flags & QEMU_COMPRESS_PAGE) != 0 ?
                " (QEMU's compress capability is not supported)" : ""));
        }
        final int alone = qemu ? MEM_SIZE | EOS | QEMU_MULTIFD_FLUSH : MEM_SIZE | EOS;
        if ((flags & alone) != 0)
        {
            throw new PageStreamException(start, (flags == MEM_SIZE ? "a second MEM_SIZE record" :
                "contradictory flags " + PageStreamDescriptor.describeFlags(flags) +
                (qemu ? " (MEM_SIZE, EOS and MULTIFD_FLUSH carry no other flag)" :
                " (MEM_SIZE and EOS carry no other flag)")));
        }
        if (Integer.bitCount(flags & pageKindFlags) != 1)
        {
            throw new PageStreamException(start, "contradictory flags " + PageStreamDescriptor.describeFlags(flags) +
                (qemu ? " (a page record has exactly one of ZERO, PAGE, XBZRLE)" :
                " (a page record has exactly one of ZERO, PAGE, XBZRLE, LZ4)"));
        }
    }

    @Override
    public String toString()
    {
        return name;
    }
}
