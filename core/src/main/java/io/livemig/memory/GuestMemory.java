package io.livemig.memory;

import io.livemig.dirty.DirtyMarker;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Guest RAM of {@link #pageCount()} pages held off-heap, in regions of at most 1 GiB (Agrona buffers index
 * with {@code int}), so that a guest of any size is described by {@code long} guest-physical addresses while
 * tests allocate small ones. A page never straddles two regions. Memory is page aligned, zeroed on
 * creation and freed by {@link #close()}; or, made by {@link #mapped}, it lies over memory the caller mapped
 * (a kernel tracker's {@code mmap}) and {@link #close()} hands it back to the caller.
 *
 * <p>Every write method stores its data and <em>then</em> marks each page it touched through the attached
 * {@link DirtyMarker}, the order that {@link io.livemig.dirty.DirtyScanner} relies on to lose no write.
 * Read methods never mark. Addresses and lengths from callers are checked here, so a bad argument throws
 * {@link IndexOutOfBoundsException} or {@link IllegalArgumentException} naming the address and the guest
 * size, whether or not Agrona's own bounds checks are on.
 *
 * <p>Thread-safety: any number of threads may read and write concurrently; accesses to the same bytes race
 * as plain memory does (word-sized puts are single-copy atomic when aligned). {@link #close()} must not race
 * with any other call: it is for the owner, once every user has stopped.
 */
public final class GuestMemory implements AutoCloseable
{
    /** The name of the single RAM block of a guest, as QEMU's PC machine names it. */
    public static final String DEFAULT_BLOCK_NAME = "pc.ram";
    /** Default page size: 4 KiB. */
    public static final int DEFAULT_PAGE_SIZE = 4096;
    /** Smallest page size accepted. */
    public static final int MIN_PAGE_SIZE = 4096;
    /** Largest page size accepted: 2 MiB. */
    public static final int MAX_PAGE_SIZE = 2 << 20;
    /** Default and largest region: 1 GiB. */
    public static final int MAX_REGION_SIZE = 1 << 30;

    private final String blockName;
    private final long size;
    private final int pageSize;
    private final int pageShift;
    private final long pageCount;
    private final int regionShift;
    private final long regionMask;
    private final DirtyMarker marker;
    private final long[] allocations;
    private final Runnable release;
    private final PagePlacer placer;
    private UnsafeBuffer[] regions;

    /**
     * Makes the buffer through which a region of mapped memory is accessed: {@code UnsafeBuffer::new} for plain
     * stores, or a subclass whose stores take another route (a kernel tracker's native stores).
     */
    @FunctionalInterface
    public interface RegionWrapper
    {
        /** @return a buffer over exactly {@code length} bytes at {@code address}. */
        UnsafeBuffer wrap(long address, int length);
    }

    /**
     * A guest of {@code size} bytes of {@code pageSize}-byte pages in 1 GiB regions, named {@value
     * #DEFAULT_BLOCK_NAME}.
     */
    public GuestMemory(final long size, final int pageSize, final DirtyMarker marker)
    {
        this(DEFAULT_BLOCK_NAME, size, pageSize, MAX_REGION_SIZE, marker);
    }

    /**
     * @param blockName  RAM block name used in the page stream, 1 to 255 printable ASCII characters, no spaces.
     * @param size       guest size in bytes, a positive multiple of {@code pageSize}.
     * @param pageSize   page size, a power of two from 4 KiB to 2 MiB.
     * @param regionSize bytes per off-heap region, a power of two from {@code pageSize} to 1 GiB.
     * @param marker     told of every written page; {@link DirtyMarker#NONE} for none.
     */
    public GuestMemory(
        final String blockName, final long size, final int pageSize, final int regionSize, final DirtyMarker marker)
    {
        this(blockName, size, pageSize, regionSize, marker, 0, null, null, null);
    }

    /**
     * Guest memory over {@code size} bytes that the caller has mapped at {@code address} (an {@code mmap}'d
     * region, e.g. one registered with a userfaultfd), in 1 GiB regions made by {@code wrapper}. Reads and
     * writes behave exactly as for allocated memory, with the same checks; the memory is not zeroed here
     * (fresh anonymous mappings already are), and {@link #close()} calls {@code release} instead of freeing.
     *
     * @param address a 4 KiB-aligned address of at least {@code size} mapped bytes, valid until {@code release}.
     * @param release run once by {@link #close()} (e.g. {@code munmap}); the owner must not unmap before that.
     * @throws IllegalArgumentException if the address is 0 or not 4 KiB aligned, or as the constructor's checks.
     */
    public static GuestMemory mapped(
        final String blockName, final long address, final long size, final int pageSize, final DirtyMarker marker,
        final RegionWrapper wrapper, final Runnable release)
    {
        if (address == 0 || (address & (MIN_PAGE_SIZE - 1)) != 0 || address + size < address)
        {
            throw new IllegalArgumentException("mapped guest address must be non-zero and 4 KiB aligned, with " +
                size + " bytes after it: 0x" + Long.toHexString(address));
        }
        if (wrapper == null || release == null)
        {
            throw new NullPointerException("wrapper and release of a mapped guest");
        }
        return new GuestMemory(blockName, size, pageSize, MAX_REGION_SIZE, marker, address, wrapper, release, null);
    }

    /**
     * As {@link #mapped(String, long, long, int, DirtyMarker, RegionWrapper, Runnable)}, for memory whose
     * missing pages must be placed through {@code placer} (memory registered in userfaultfd MISSING mode):
     * {@link #placer()} returns it, and whoever fills the memory with whole pages must use it.
     */
    public static GuestMemory mapped(
        final String blockName, final long address, final long size, final int pageSize, final DirtyMarker marker,
        final RegionWrapper wrapper, final Runnable release, final PagePlacer placer)
    {
        final GuestMemory memory = mapped(blockName, address, size, pageSize, marker, wrapper, release);
        return new GuestMemory(memory, placer);
    }

    /** Takes over {@code mapped}'s regions and release, with a placer. */
    private GuestMemory(final GuestMemory mapped, final PagePlacer placer)
    {
        this.blockName = mapped.blockName;
        this.size = mapped.size;
        this.pageSize = mapped.pageSize;
        this.pageShift = mapped.pageShift;
        this.pageCount = mapped.pageCount;
        this.regionShift = mapped.regionShift;
        this.regionMask = mapped.regionMask;
        this.marker = mapped.marker;
        this.allocations = mapped.allocations;
        this.release = mapped.release;
        this.regions = mapped.regions;
        this.placer = placer;
    }

    private GuestMemory(
        final String blockName, final long size, final int pageSize, final int regionSize, final DirtyMarker marker,
        final long mappedAddress, final RegionWrapper wrapper, final Runnable release, final PagePlacer placer)
    {
        if (blockName == null || blockName.isEmpty() || blockName.length() > 255 ||
            !blockName.chars().allMatch(c -> c > 0x20 && c < 0x7f))
        {
            throw new IllegalArgumentException("block name must be 1-255 printable ASCII characters without spaces: " + blockName);
        }
        if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || Integer.bitCount(pageSize) != 1)
        {
            throw new IllegalArgumentException("page size must be a power of two from 4 KiB to 2 MiB: " + pageSize);
        }
        if (regionSize < pageSize || regionSize > MAX_REGION_SIZE || Integer.bitCount(regionSize) != 1)
        {
            throw new IllegalArgumentException(
                "region size must be a power of two from the page size to 1 GiB: " + regionSize);
        }
        if (size <= 0 || (size & (pageSize - 1)) != 0)
        {
            throw new IllegalArgumentException(
                "guest size must be a positive multiple of the page size " + pageSize + ": " + size);
        }
        if (marker == null)
        {
            throw new NullPointerException("marker (use DirtyMarker.NONE for none)");
        }
        final long regionCount = ((size - 1) / regionSize) + 1;
        if (regionCount > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("guest size too large: " + size);
        }
        this.blockName = blockName;
        this.size = size;
        this.pageSize = pageSize;
        this.pageShift = Integer.numberOfTrailingZeros(pageSize);
        this.pageCount = size >>> pageShift;
        this.regionShift = Integer.numberOfTrailingZeros(regionSize);
        this.regionMask = regionSize - 1;
        this.marker = marker;
        this.allocations = new long[(int)regionCount];
        this.release = release;
        this.placer = placer;
        this.regions = new UnsafeBuffer[(int)regionCount];
        if (mappedAddress != 0)
        {
            for (int i = 0; i < regionCount; i++)
            {
                final long offset = (long)i << regionShift;
                regions[i] = wrapper.wrap(mappedAddress + offset, (int)Math.min(regionSize, size - offset));
            }
            return;
        }
        try
        {
            for (int i = 0; i < regionCount; i++)
            {
                final int length = (int)Math.min(regionSize, size - ((long)i << regionShift));
                final long raw = UnsafeApi.allocateMemory((long)length + pageSize);
                allocations[i] = raw;
                final long aligned = (raw + pageSize - 1) & -(long)pageSize;
                UnsafeApi.setMemory(aligned, length, (byte)0);
                regions[i] = new UnsafeBuffer(aligned, length);
            }
        }
        catch (final OutOfMemoryError | RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /** @return the RAM block's name in the page stream. */
    public String blockName()
    {
        return blockName;
    }

    /** @return guest size in bytes. */
    public long size()
    {
        return size;
    }

    /** @return page size in bytes. */
    public int pageSize()
    {
        return pageSize;
    }

    /** @return log2 of the page size. */
    public int pageShift()
    {
        return pageShift;
    }

    /** @return number of pages. */
    public long pageCount()
    {
        return pageCount;
    }

    /**
     * @return how missing pages must be placed into this memory (userfaultfd MISSING mode, where a plain store
     *         into a missing page would block the storing thread), or {@code null}: plain stores are fine.
     */
    public PagePlacer placer()
    {
        return placer;
    }

    /** @return the marker told of every written page. */
    public DirtyMarker marker()
    {
        return marker;
    }

    // ---------------------------------------------------------------- writes: store, then mark

    /** Stores a native-order long at {@code address} (8-byte aligned), then marks its page. */
    public void putLong(final long address, final long value)
    {
        checkAligned(address, Long.BYTES);
        region(address).putLong((int)(address & regionMask), value);
        marker.mark(address >>> pageShift);
    }

    /** Stores a native-order int at {@code address} (4-byte aligned), then marks its page. */
    public void putInt(final long address, final int value)
    {
        checkAligned(address, Integer.BYTES);
        region(address).putInt((int)(address & regionMask), value);
        marker.mark(address >>> pageShift);
    }

    /** Stores a byte at {@code address}, then marks its page. */
    public void putByte(final long address, final byte value)
    {
        checkRange(address, 1);
        region(address).putByte((int)(address & regionMask), value);
        marker.mark(address >>> pageShift);
    }

    /**
     * Copies {@code length} bytes of {@code src} from {@code srcOffset} to {@code address}, across pages and
     * regions if need be, then marks every page touched.
     */
    public void putBytes(final long address, final byte[] src, final int srcOffset, final int length)
    {
        checkArray(src, srcOffset, length);
        checkRange(address, length);
        final UnsafeBuffer[] regions = openRegions();
        long at = address;
        int from = srcOffset;
        int left = length;
        while (left > 0)
        {
            final int chunk = (int)Math.min(left, regionMask + 1 - (at & regionMask));
            regions[(int)(at >>> regionShift)].putBytes((int)(at & regionMask), src, from, chunk);
            at += chunk;
            from += chunk;
            left -= chunk;
        }
        markBytes(address, length);
    }

    /** Sets {@code length} bytes from {@code address} to {@code value}, then marks every page touched. */
    public void fill(final long address, final long length, final byte value)
    {
        checkRange(address, length);
        final UnsafeBuffer[] regions = openRegions();
        long at = address;
        long left = length;
        while (left > 0)
        {
            final int chunk = (int)Math.min(left, regionMask + 1 - (at & regionMask));
            regions[(int)(at >>> regionShift)].setMemory((int)(at & regionMask), chunk, value);
            at += chunk;
            left -= chunk;
        }
        markBytes(address, length);
    }

    /** Copies one whole page from {@code src} at {@code srcOffset} into page {@code page}, then marks it. */
    public void writePage(final long page, final byte[] src, final int srcOffset)
    {
        checkArray(src, srcOffset, pageSize);
        final long address = pageAddress(page);
        region(address).putBytes((int)(address & regionMask), src, srcOffset, pageSize);
        marker.mark(page);
    }

    /** Copies one whole page from {@code src} at {@code srcOffset} into page {@code page}, then marks it. */
    public void writePage(final long page, final DirectBuffer src, final int srcOffset)
    {
        checkBuffer(src.capacity(), srcOffset, pageSize);
        final long address = pageAddress(page);
        region(address).putBytes((int)(address & regionMask), src, srcOffset, pageSize);
        marker.mark(page);
    }

    // ---------------------------------------------------------------- reads: never mark

    /** @return the native-order long at {@code address} (8-byte aligned). */
    public long getLong(final long address)
    {
        checkAligned(address, Long.BYTES);
        return region(address).getLong((int)(address & regionMask));
    }

    /** @return the native-order int at {@code address} (4-byte aligned). */
    public int getInt(final long address)
    {
        checkAligned(address, Integer.BYTES);
        return region(address).getInt((int)(address & regionMask));
    }

    /** @return the byte at {@code address}. */
    public byte getByte(final long address)
    {
        checkRange(address, 1);
        return region(address).getByte((int)(address & regionMask));
    }

    /** Copies {@code length} bytes from {@code address} into {@code dst} at {@code dstOffset}. */
    public void getBytes(final long address, final byte[] dst, final int dstOffset, final int length)
    {
        checkArray(dst, dstOffset, length);
        checkRange(address, length);
        final UnsafeBuffer[] regions = openRegions();
        long at = address;
        int to = dstOffset;
        int left = length;
        while (left > 0)
        {
            final int chunk = (int)Math.min(left, regionMask + 1 - (at & regionMask));
            regions[(int)(at >>> regionShift)].getBytes((int)(at & regionMask), dst, to, chunk);
            at += chunk;
            to += chunk;
            left -= chunk;
        }
    }

    /** Copies page {@code page} into {@code dst} at {@code dstOffset}, without allocating. */
    public void readPage(final long page, final byte[] dst, final int dstOffset)
    {
        checkArray(dst, dstOffset, pageSize);
        final long address = pageAddress(page);
        region(address).getBytes((int)(address & regionMask), dst, dstOffset, pageSize);
    }

    /** Copies page {@code page} into {@code dst} at {@code dstOffset}, without allocating. */
    public void readPage(final long page, final MutableDirectBuffer dst, final int dstOffset)
    {
        checkBuffer(dst.capacity(), dstOffset, pageSize);
        final long address = pageAddress(page);
        dst.putBytes(dstOffset, region(address), (int)(address & regionMask), pageSize);
    }

    /**
     * Points {@code view} at page {@code page}'s memory, without copying or allocating. Writes made through
     * the view are <em>not</em> marked: this is for the migration destination, which applies incoming pages
     * to memory that is not being tracked, and for readers that must not copy. The view is valid until
     * {@link #close()}.
     *
     * @return {@code view}, wrapped over exactly one page.
     */
    public UnsafeBuffer wrapPage(final long page, final UnsafeBuffer view)
    {
        final long address = pageAddress(page);
        view.wrap(region(address), (int)(address & regionMask), pageSize);
        return view;
    }

    /**
     * @return the guest-physical address of page {@code page}.
     * @throws IndexOutOfBoundsException if the page is outside the guest.
     */
    public long pageAddress(final long page)
    {
        if (page < 0 || page >= pageCount)
        {
            throw new IndexOutOfBoundsException(
                "page " + page + " is outside the guest's " + pageCount + " pages (" + size + " bytes)");
        }
        return page << pageShift;
    }

    /**
     * Frees the off-heap memory, or for {@link #mapped} memory runs its release. Idempotent; every later access
     * throws {@link IllegalStateException}.
     */
    @Override
    public void close()
    {
        final UnsafeBuffer[] regions = this.regions;
        if (regions == null)
        {
            return;
        }
        this.regions = null;
        if (release != null)
        {
            release.run();
            return;
        }
        for (int i = 0; i < allocations.length; i++)
        {
            if (allocations[i] != 0)
            {
                UnsafeApi.freeMemory(allocations[i]);
                allocations[i] = 0;
            }
        }
    }

    @Override
    public String toString()
    {
        return "GuestMemory[" + blockName + ", " + size + " bytes, " + pageCount + " pages of " + pageSize + "]";
    }

    // ---------------------------------------------------------------- checks

    private UnsafeBuffer region(final long address)
    {
        return openRegions()[(int)(address >>> regionShift)];
    }

    /** @return the regions, read once, so that even a zero-length access to closed memory throws. */
    private UnsafeBuffer[] openRegions()
    {
        final UnsafeBuffer[] regions = this.regions;
        if (regions == null)
        {
            throw new IllegalStateException("guest memory " + blockName + " is closed");
        }
        return regions;
    }

    private void markBytes(final long address, final long length)
    {
        if (length > 0)
        {
            final long first = address >>> pageShift;
            marker.markRange(first, ((address + length - 1) >>> pageShift) - first + 1);
        }
    }

    private void checkRange(final long address, final long length)
    {
        if (address < 0 || length < 0 || address > size - length)
        {
            throw new IndexOutOfBoundsException(
                "access of " + length + " bytes at guest address 0x" + Long.toHexString(address) +
                " is outside the guest's " + size + " bytes");
        }
    }

    private void checkAligned(final long address, final int width)
    {
        checkRange(address, width);
        if ((address & (width - 1)) != 0)
        {
            throw new IllegalArgumentException(
                width + "-byte access at guest address 0x" + Long.toHexString(address) + " is not " + width +
                "-byte aligned (guest size " + size + " bytes)");
        }
    }

    private static void checkArray(final byte[] array, final int offset, final int length)
    {
        checkBuffer(array.length, offset, length);
    }

    private static void checkBuffer(final int capacity, final int offset, final int length)
    {
        if (offset < 0 || length < 0 || offset > capacity - length)
        {
            throw new IndexOutOfBoundsException(
                "buffer range [" + offset + ", " + offset + " + " + length + ") is outside its capacity " + capacity);
        }
    }
}
