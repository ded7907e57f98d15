package io.livemig.qemu.stream;

import io.livemig.stream.PageKind;
import io.livemig.stream.RamBlocks;
import io.livemig.workload.DirtyTrace;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Records a real guest's dirty pattern from QEMU's stream, as a {@link QemuStreamListener}: the pages of one
 * block (by default {@code pc.ram}) that each RAM section sent after the first pass over memory, which are the
 * pages the guest dirtied since an earlier bitmap sync.
 *
 * <p>Passes: QEMU walks its dirty bitmap in order, block by block (the order of MEM_SIZE) and page by page, and
 * starts again from the first block when it reaches the end; so a pass is a run of page records whose (block,
 * page) increases, and a record whose (block, page) is not above the previous one's starts the next pass.
 * Pass 0 is the first pass over all of memory; the trace holds the sections from the one in which pass 1
 * begins (only their pages of pass 1 and later). A section is dated, where the stream's arrival times are known,
 * by the arrival of its first byte.
 *
 * <p>Not thread-safe: the reader's thread calls it.
 */
public final class DirtyTraceRecorder implements QemuStreamListener
{
    private final RamBlocks blocks;
    private final String blockName;
    private final List<long[]> arrivals;
    private int block = -2;
    private long lastBlock = -1;
    private long lastPage = -1;
    private int pass;
    private final List<Long> pagesPerPass = new ArrayList<>(List.of(0L));
    private final List<DirtyTrace.Entry> entries = new ArrayList<>();
    private int section = -1;
    private double sectionTime = Double.NaN;
    private long[] sectionPages = new long[64];
    private int sectionCount;

    /**
     * @param blocks    the reader's blocks.
     * @param blockName the block traced, usually {@code pc.ram}.
     * @param arrivals  the stream's reads (offset, ms), in order, or null if unknown.
     */
    public DirtyTraceRecorder(final RamBlocks blocks, final String blockName, final List<long[]> arrivals)
    {
        this.blocks = blocks;
        this.blockName = blockName;
        this.arrivals = arrivals;
    }

    @Override
    public void onRamSection(final int index, final int type, final long offset)
    {
        endSection();
        section = index;
        sectionTime = time(offset);
    }

    @Override
    public void onPage(final int block, final long page, final PageKind kind, final int wireBytes, final long offset)
    {
        if (block < lastBlock || (block == lastBlock && page <= lastPage))
        {
            pass++;
            pagesPerPass.add(0L);
        }
        lastBlock = block;
        lastPage = page;
        pagesPerPass.set(pass, pagesPerPass.get(pass) + 1);
        if (this.block == -2)
        {
            this.block = blocks.indexOf(blockName);
        }
        if (pass > 0 && block == this.block)
        {
            if (sectionCount == sectionPages.length)
            {
                sectionPages = Arrays.copyOf(sectionPages, sectionCount * 2);
            }
            sectionPages[sectionCount++] = page;
        }
    }

    private void endSection()
    {
        if (section >= 0 && (pass > 0 || sectionCount > 0))
        {
            final long[] pages = Arrays.stream(sectionPages, 0, sectionCount).sorted().distinct().toArray();
            entries.add(new DirtyTrace.Entry(section, sectionTime, pages));
        }
        sectionCount = 0;
    }

    private double time(final long offset)
    {
        if (arrivals == null || arrivals.isEmpty())
        {
            return Double.NaN;
        }
        int lo = 0;
        int hi = arrivals.size() - 1;
        while (lo < hi)
        {
            final int mid = (lo + hi + 1) >>> 1;
            if (arrivals.get(mid)[0] <= offset)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return arrivals.get(lo)[1];
    }

    /** @return page records of each pass over memory (every block): the first is the whole first pass. */
    public List<Long> pagesPerPass()
    {
        return List.copyOf(pagesPerPass);
    }

    /**
     * Ends the recording (call after the read) and makes the trace.
     *
     * @param header the trace's other header lines.
     * @throws IllegalStateException if the stream had no block of that name.
     */
    public DirtyTrace trace(final Map<String, String> header)
    {
        endSection();
        section = -1;
        final int index = blocks.indexOf(blockName);
        if (index < 0)
        {
            throw new IllegalStateException("the stream has no block " + blockName);
        }
        final List<DirtyTrace.Entry> dated = new ArrayList<>();
        double last = Double.NEGATIVE_INFINITY;
        for (final DirtyTrace.Entry e : entries)
        {
            // arrival times of sections are monotonic, but two sections may share one read
            final double t = Double.isNaN(e.timeMs()) ? Double.NaN : Math.max(last, e.timeMs());
            dated.add(new DirtyTrace.Entry(e.section(), t, e.pages()));
            last = Double.isNaN(t) ? last : t;
        }
        return new DirtyTrace(blocks.pageSize(), blocks.usedLength(index) / blocks.pageSize(), header, dated);
    }
}
