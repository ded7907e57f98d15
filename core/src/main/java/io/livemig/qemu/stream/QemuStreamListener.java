package io.livemig.qemu.stream;

import io.livemig.stream.PageKind;

/**
 * Told by a {@link QemuStreamReader} of each RAM section and each page record it applies, in stream order, on
 * the reader's thread. A page's bytes are in the block's memory ({@link io.livemig.stream.RamBlocks#memory})
 * when {@link #onPage} is called. Both methods do nothing by default.
 */
public interface QemuStreamListener
{
    /** A listener that hears nothing. */
    QemuStreamListener NONE = new QemuStreamListener()
    {
    };

    /** @return a listener that tells each of {@code listeners} in turn. */
    static QemuStreamListener all(final QemuStreamListener... listeners)
    {
        final QemuStreamListener[] copy = listeners.clone();
        return new QemuStreamListener()
        {
            @Override
            public void onRamSection(final int index, final int type, final long offset)
            {
                for (final QemuStreamListener l : copy)
                {
                    l.onRamSection(index, type, offset);
                }
            }

            @Override
            public void onPage(final int block, final long page, final PageKind kind, final int wireBytes,
                final long offset)
            {
                for (final QemuStreamListener l : copy)
                {
                    l.onPage(block, page, kind, wireBytes, offset);
                }
            }
        };
    }

    /**
     * A RAM section begins.
     *
     * @param index  0 for the section start (the setup: MEM_SIZE), then 1, 2, ... for the parts and the end.
     * @param type   {@link QemuStreamDescriptor#SECTION_START}, {@code SECTION_PART} or {@code SECTION_END}.
     * @param offset stream offset of the section's type byte.
     */
    default void onRamSection(final int index, final int type, final long offset)
    {
    }

    /**
     * A page record was applied.
     *
     * @param block     index of its block in the reader's {@link io.livemig.stream.RamBlocks}.
     * @param page      page number within the block.
     * @param kind      {@link PageKind#ZERO}, {@link PageKind#NORMAL} or {@link PageKind#XBZRLE}.
     * @param wireBytes bytes of the whole record, header and block name included.
     * @param offset    stream offset of the record's first byte.
     */
    default void onPage(final int block, final long page, final PageKind kind, final int wireBytes, final long offset)
    {
    }
}
