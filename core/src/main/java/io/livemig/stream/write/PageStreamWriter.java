package io.livemig.stream.write;

import io.livemig.codec.Lz4PageCodec;
import io.livemig.codec.XbzrleCache;
import io.livemig.codec.XbzrleStats;
import io.livemig.codec.ZeroPage;
import io.livemig.memory.GuestMemory;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.ChannelPartition;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamDescriptor;
import io.livemig.stream.PageStreamOptions;
import io.livemig.stream.PageStreamStats;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.function.LongConsumer;

import static io.livemig.stream.PageStreamDescriptor.CONTINUE;
import static io.livemig.stream.PageStreamDescriptor.EOS;
import static io.livemig.stream.PageStreamDescriptor.HEADER_LENGTH;
import static io.livemig.stream.PageStreamDescriptor.LZ4;
import static io.livemig.stream.PageStreamDescriptor.LZ4_PREFIX_LENGTH;
import static io.livemig.stream.PageStreamDescriptor.MAX_NAME_LENGTH;
import static io.livemig.stream.PageStreamDescriptor.MEM_SIZE;
import static io.livemig.stream.PageStreamDescriptor.PAGE;
import static io.livemig.stream.PageStreamDescriptor.XBZRLE;
import static io.livemig.stream.PageStreamDescriptor.XBZRLE_ENCODING;
import static io.livemig.stream.PageStreamDescriptor.XBZRLE_PREFIX_LENGTH;
import static io.livemig.stream.PageStreamDescriptor.ZERO;

/**
 * The source side of the page stream: sends guest pages of one RAM block as ZERO, XBZRLE, LZ4 or raw PAGE
 * records through a {@link ChannelOutput}, with no allocation per page.
 *
 * <p>Each {@link #writePage} that sends page contents copies the guest page <em>once</em> into a private
 * snapshot and decides and sends everything from that snapshot, never from guest memory again (rules 1-4 of
 * {@code xbzrle.md}): vCPUs may keep writing the page meanwhile, and the XBZRLE cache, which is given the same
 * snapshot, must equal what the destination holds, or every later delta of the page would corrupt it
 * silently. The record is built in place in the output's buffer ({@link ChannelOutput#claim}), so the codecs
 * encode straight into it; with no codec on, the snapshot <em>is</em> the record's payload (one copy per raw
 * page, guest memory to output buffer).
 *
 * <h2>Zero pages: decided on live memory</h2>
 * The zero check runs on guest memory itself, before any snapshot, and a page found all zero goes as a ZERO
 * record without ever being copied (an idle guest costs one read per page, no copy). This is safe under the
 * same rule that makes a snapshot safe, given that the caller cleared the page's dirty bit before the call (as
 * {@link io.livemig.dirty.DirtyScanner} and the migration engine do) and that guest writes store and then mark
 * ({@link GuestMemory}):
 * <ul>
 *   <li>the check reads each byte once with plain loads, as the snapshot copy would; "zero" is therefore
 *       exactly the answer a snapshot taken by the same loads would give. It may be a mix of bytes from
 *       before and after a racing write (a page that was never all zero at one instant);</li>
 *   <li>any write that overlaps the check stores after the bit was cleared, so its mark lands after the
 *       clear: the page is dirty again and the next round sends it from a fresh read. The final round runs
 *       with the vCPUs stopped, where nothing races;</li>
 *   <li>ZERO sends no bytes read from the page: there is no second read that could disagree with the
 *       decision, and the XBZRLE cache is told the page is zero, which is what the destination now holds.</li>
 * </ul>
 * A page found non-zero is then snapshotted and sent from the snapshot (as whole, delta or LZ4), even if a
 * racing write made the snapshot zero meanwhile: still correct, and rare. {@code SnapshotConsistencyTest}
 * slips a write in right after the decision and checks the page is resent.
 *
 * <p>XBZRLE is used from the second {@link #startRound} on (after the first full pass: before it nothing is
 * cached), only for pages the caller allows it for (not post-copy requests). A page sent in full while
 * XBZRLE is active still goes through the cache, which then takes the snapshot as the destination's copy.
 *
 * <p>Not thread-safe: one thread (the sender) calls every method. {@link #stats()} and {@link #xbzrleStats()}
 * may be read from other threads as their classes say. Output is flushed by {@link #writeEos()}; a caller that
 * needs a page on the wire sooner (a post-copy request) flushes the {@link ChannelOutput} itself.
 */
public final class PageStreamWriter
{
    private final ChannelOutput out;
    private final GuestMemory memory;
    private final int pageSize;
    private final long blockSize;
    private final byte[] blockName;
    private final UnsafeBuffer snapshot;
    private final XbzrleCache cache;
    private final Lz4PageCodec lz4;
    private final int payloadRoom;
    private final PageStreamStats stats = new PageStreamStats();
    /** Maps a page to its key in this writer's cache: null when this writer sends every page. */
    private final ChannelPartition partition;
    private long roundsStarted;
    private boolean haveBlock;

    private final UnsafeBuffer liveView = new UnsafeBuffer(0, 0);

    // Test-only faults (package-private): see the stream tests that must catch them.
    private LongConsumer afterSnapshot;
    private boolean sendLivePage;

    /**
     * @param pageSize the page size of the guest.
     * @return the smallest {@link ChannelOutput} buffer a writer of that page size accepts: its largest
     * record (header, longest name, LZ4 length and a worst-case LZ4 block) must fit whole.
     */
    public static int requiredBufferBytes(final int pageSize)
    {
        return HEADER_LENGTH + 1 + MAX_NAME_LENGTH + LZ4_PREFIX_LENGTH + pageSize + pageSize / 255 + 64;
    }

    /**
     * @param out     where records go; its buffer must hold {@link #requiredBufferBytes(int)} bytes.
     * @param memory  the source guest (its single RAM block).
     * @param options which codecs to use.
     * @throws IllegalArgumentException if the options do not fit the page size or the buffer is too small.
     */
    public PageStreamWriter(final ChannelOutput out, final GuestMemory memory, final PageStreamOptions options)
    {
        this(out, memory, options, null);
    }

    /**
     * A writer for one page channel of several: it is given only the pages {@code partition} assigns to its
     * channel, and its XBZRLE cache (of {@code options}' budget, the channel's share) is keyed by {@link
     * ChannelPartition#localPage}, so that its slots serve only its own pages.
     *
     * @param partition the migration's partition, or null for a writer that sends every page.
     */
    public PageStreamWriter(
        final ChannelOutput out, final GuestMemory memory, final PageStreamOptions options,
        final ChannelPartition partition)
    {
        this.partition = partition;
        final int pageSize = memory.pageSize();
        options.validateFor(pageSize);
        if (out.capacity() < requiredBufferBytes(pageSize))
        {
            throw new IllegalArgumentException("a writer of " + pageSize + "-byte pages needs an output buffer of " +
                "at least " + requiredBufferBytes(pageSize) + " bytes: " + out.capacity());
        }
        this.out = out;
        this.memory = memory;
        this.pageSize = pageSize;
        this.blockSize = memory.size();
        this.blockName = memory.blockName().getBytes(StandardCharsets.US_ASCII);
        this.payloadRoom = requiredBufferBytes(pageSize) - (HEADER_LENGTH + 1 + MAX_NAME_LENGTH);
        // On the heap: lz4-java compresses from an array in place, where an off-heap page costs it a copy.
        this.snapshot = new UnsafeBuffer(new byte[pageSize]);
        this.cache = options.xbzrle() ? new XbzrleCache(options.xbzrleCacheBytes(), pageSize) : null;
        this.lz4 = options.lz4() ? new Lz4PageCodec(pageSize) : null;
        if (lz4 != null && LZ4_PREFIX_LENGTH + lz4.maxCompressedLength() > payloadRoom)
        {
            throw new IllegalStateException("LZ4 bound " + lz4.maxCompressedLength() + " exceeds the record room");
        }
    }

    /** @return the counters (see {@link PageStreamStats} for reading them from other threads). */
    public PageStreamStats stats()
    {
        return stats;
    }

    /** @return the XBZRLE cache's counters, or null if XBZRLE is off. */
    public XbzrleStats xbzrleStats()
    {
        return cache == null ? null : cache.stats();
    }

    /** @return whether the next {@link #writePage} may send an XBZRLE delta (enabled, after the first pass). */
    public boolean xbzrleActive()
    {
        return cache != null && roundsStarted >= 2;
    }

    /** Writes the MEM_SIZE record that starts the stream: the block's name and size. */
    public void writeMemSize() throws IOException
    {
        final long start = out.position();
        out.putLong(PageStreamDescriptor.header(blockSize, MEM_SIZE));
        out.putByte(blockName.length);
        out.putBytes(blockName, 0, blockName.length);
        out.putLong(blockSize);
        haveBlock = false;
        stats.memSize((int)(out.position() - start));
    }

    /**
     * Starts round {@code round} (the dirty-log sync whose pages follow) and tells the XBZRLE cache, whose
     * entries age by it. XBZRLE deltas are sent from the second call on.
     *
     * @param round not below the previous round.
     */
    public void startRound(final long round)
    {
        if (cache != null)
        {
            cache.startRound(round);
        }
        roundsStarted++;
    }

    /**
     * Sends page {@code page}, whose dirty bit the caller has cleared: as ZERO if guest memory reads all zero
     * (no copy; see the class javadoc); else snapshots it once and sends the snapshot as XBZRLE if enabled,
     * active, {@code allowXbzrle}, cached and the delta fits in a page (or nothing at all if the delta is
     * empty); else as LZ4 if enabled and smaller than a page; else raw. The first page record
     * after MEM_SIZE or EOS names the block, later ones carry CONTINUE.
     *
     * @param allowXbzrle false for pages that must go whole (post-copy requests); while XBZRLE is active such
     *                    a page still goes through the cache (its delta is dropped), so that the cache keeps
     *                    holding what the destination holds.
     * @return how the page went; {@link PageKind#UNCHANGED} if nothing was sent.
     * @throws IndexOutOfBoundsException if the page is outside the guest.
     */
    public PageKind writePage(final long page, final boolean allowXbzrle) throws IOException
    {
        final long offset = memory.pageAddress(page);
        final int pageSize = this.pageSize;
        final UnsafeBuffer live = memory.wrapPage(page, liveView);

        final int nameBytes = haveBlock ? 0 : 1 + blockName.length;
        final int at = out.claim(HEADER_LENGTH + nameBytes + payloadRoom);
        final MutableDirectBuffer buffer = out.buffer();
        final int payload = at + HEADER_LENGTH + nameBytes;
        int flags;
        int payloadLength;
        PageKind kind;
        if (ZeroPage.isZero(live, 0, pageSize))
        {
            // Decided on live memory, with no snapshot: safe, see the class javadoc ("Zero pages").
            if (afterSnapshot != null)
            {
                afterSnapshot.accept(page);
            }
            if (cache != null)
            {
                cache.zeroPageSent(cacheKey(page));
            }
            buffer.putByte(payload, (byte)0);
            flags = ZERO;
            payloadLength = 1;
            kind = PageKind.ZERO;
        }
        else if (cache == null && lz4 == null && !sendLivePage)
        {
            // Raw only: the record's payload is the snapshot, copied once from guest memory.
            buffer.putBytes(payload, live, 0, pageSize);
            if (afterSnapshot != null)
            {
                afterSnapshot.accept(page);
            }
            flags = PAGE;
            payloadLength = pageSize;
            kind = PageKind.NORMAL;
        }
        else
        {
            final UnsafeBuffer snapshot = this.snapshot;
            snapshot.putBytes(0, live, 0, pageSize);
            if (afterSnapshot != null)
            {
                afterSnapshot.accept(page);
            }
            flags = 0;
            payloadLength = 0;
            kind = null;
            if (roundsStarted >= 2 && cache != null)
            {
                final int delta = cache.encode(
                    cacheKey(page), snapshot, 0, buffer, payload + XBZRLE_PREFIX_LENGTH, pageSize);
                if (allowXbzrle && delta == 0)
                {
                    stats.page(PageKind.UNCHANGED, 0);
                    return PageKind.UNCHANGED;
                }
                if (allowXbzrle && delta > 0)
                {
                    buffer.putByte(payload, (byte)XBZRLE_ENCODING);
                    buffer.putShort(payload + 1, (short)delta, ByteOrder.BIG_ENDIAN);
                    flags = XBZRLE;
                    payloadLength = XBZRLE_PREFIX_LENGTH + delta;
                    kind = PageKind.XBZRLE;
                }
            }
            if (kind == null)
            {
                final DirectBuffer whole = sendLivePage ? live : snapshot;
                final int compressed = lz4 == null ? -1 : lz4.compress(whole, 0, buffer, payload + LZ4_PREFIX_LENGTH);
                if (compressed > 0)
                {
                    buffer.putInt(payload, compressed, ByteOrder.BIG_ENDIAN);
                    flags = LZ4;
                    payloadLength = LZ4_PREFIX_LENGTH + compressed;
                    kind = PageKind.LZ4;
                }
                else
                {
                    buffer.putBytes(payload, whole, 0, pageSize);
                    flags = PAGE;
                    payloadLength = pageSize;
                    kind = PageKind.NORMAL;
                }
            }
        }
        if (haveBlock)
        {
            flags |= CONTINUE;
        }
        else
        {
            buffer.putByte(at + HEADER_LENGTH, (byte)blockName.length);
            buffer.putBytes(at + HEADER_LENGTH + 1, blockName);
            haveBlock = true;
        }
        buffer.putLong(at, PageStreamDescriptor.header(offset, flags), ByteOrder.BIG_ENDIAN);
        final int wireBytes = HEADER_LENGTH + nameBytes + payloadLength;
        out.commit(wireBytes);
        stats.page(kind, wireBytes);
        return kind;
    }

    private long cacheKey(final long page)
    {
        return partition == null ? page : partition.localPage(page);
    }

    /** Writes EOS, which ends an iteration, and flushes the output. */
    public void writeEos() throws IOException
    {
        out.putLong(EOS);
        haveBlock = false;
        stats.eos(HEADER_LENGTH);
        out.flush();
    }

    /** @return the XBZRLE cache, or null; for tests that check it equals the destination. */
    public XbzrleCache xbzrleCache()
    {
        return cache;
    }

    /**
     * Test-only faults: {@code afterSnapshot} runs right after each snapshot, or after a zero page's check
     * (a test writes the guest page there, as a vCPU racing the sender would); {@code sendLivePage} sends pages that go whole from guest
     * memory instead of the snapshot, the bug the XBZRLE cache rules forbid.
     */
    public void testFaults(final LongConsumer afterSnapshot, final boolean sendLivePage)
    {
        this.afterSnapshot = afterSnapshot;
        this.sendLivePage = sendLivePage;
    }
}
