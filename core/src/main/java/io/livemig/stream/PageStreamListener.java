package io.livemig.stream;

/**
 * Told of every page record a {@link io.livemig.stream.read.PageStreamReader} applies, after the page has been written to
 * destination memory (a post-copy destination wakes the vCPUs waiting for that page from here).
 *
 * <p>Called on the reader's thread, one record at a time; an implementation that hands the event to other
 * threads provides its own ordering (the page's bytes were written with plain stores before the call).
 */
@FunctionalInterface
public interface PageStreamListener
{
    /**
     * @param page         page number within the block (record offset divided by the page size).
     * @param kind         how the page came: {@link PageKind#ZERO}, {@link PageKind#NORMAL}, {@link
     *                     PageKind#XBZRLE} or {@link PageKind#LZ4}.
     * @param wireBytes    bytes of the whole record on the wire, header and block name included.
     * @param streamOffset offset of the record's first byte in the stream.
     */
    void onPage(long page, PageKind kind, int wireBytes, long streamOffset);
}
