package io.livemig.stream;

/**
 * Which page channel owns which guest page when a migration spreads its pages over several channels (QEMU's
 * multifd): pages are cut into stripes of {@link #STRIPE_PAGES} pages, and stripe {@code t} belongs to channel
 * {@code t % channels} for the whole migration. A page therefore always travels over the same channel, so
 * each channel's sender owns its pages' dirty bits (every stripe is whole 64-bit bitmap words), its pages'
 * XBZRLE cache entries (one private cache per channel, keyed by {@link #localPage}) and, on the destination,
 * its pages' writes: no two channel threads ever touch the same page, bitmap word or cache slot.
 *
 * <p>Stripes rather than one range per channel spread a hot set over every channel; 512 pages (8 bitmap
 * words, 2 MiB of 4 KiB pages) is one drain batch of the sender, so a dense stripe costs one drain call.
 *
 * <p>Immutable and thread-safe.
 */
public final class ChannelPartition
{
    /** Pages per stripe: a multiple of 64, so that no bitmap word is shared by two channels. */
    public static final int STRIPE_PAGES = 512;
    private static final int STRIPE_SHIFT = 9;

    private final long pageCount;
    private final int channels;

    /**
     * @param pageCount pages of the guest.
     * @param channels  page channels, at least 1.
     */
    public ChannelPartition(final long pageCount, final int channels)
    {
        if (channels < 1 || pageCount < 0)
        {
            throw new IllegalArgumentException("need at least one channel and no negative page count: " + channels +
                " channels, " + pageCount + " pages");
        }
        this.pageCount = pageCount;
        this.channels = channels;
    }

    /** @return the page channels. */
    public int channels()
    {
        return channels;
    }

    /** @return the guest's pages. */
    public long pageCount()
    {
        return pageCount;
    }

    /** @return the channel that owns {@code page}. */
    public int owner(final long page)
    {
        return (int)((page >>> STRIPE_SHIFT) % channels);
    }

    /**
     * @return {@code page}'s index among its channel's pages, dense from 0: the key of its channel's private
     * XBZRLE cache, so that a cache of {@code budget / channels} bytes fills all its slots.
     */
    public long localPage(final long page)
    {
        return ((page >>> STRIPE_SHIFT) / channels << STRIPE_SHIFT) | (page & (STRIPE_PAGES - 1));
    }

    /** @return the first page of the {@code i}-th stripe of {@code channel}, or -1 past the guest's end. */
    public long stripeStart(final int channel, final long i)
    {
        final long start = (i * channels + channel) << STRIPE_SHIFT;
        return start < pageCount ? start : -1;
    }

    /**
     * @param budgetBytes the migration's XBZRLE cache budget, a power of two.
     * @param pageSize    the page size.
     * @return each channel's cache: the budget divided by the channels, rounded down to a power of two, at
     * least one page (so the channels together never hold more than the budget, but for that one page).
     */
    public long cacheBytesPerChannel(final long budgetBytes, final int pageSize)
    {
        return Math.max(pageSize, Long.highestOneBit(Math.max(1, budgetBytes / channels)));
    }

    @Override
    public String toString()
    {
        return "ChannelPartition[" + channels + " channels, stripes of " + STRIPE_PAGES + " pages]";
    }
}
