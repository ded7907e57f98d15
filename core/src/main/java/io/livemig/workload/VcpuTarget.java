package io.livemig.workload;

import io.livemig.memory.GuestMemory;

/**
 * Where a guest's writers write: the memory they run on (the source before migration, the destination
 * after), an optional {@link PageGate} that makes them fault on pages not yet received (post-copy), and an
 * optional <em>mirror</em> that receives the same writes.
 *
 * <p>The mirror exists for verification: after switch-over the source stops running, and destination
 * writes mirrored into the source's frozen memory keep it equal to what the destination must hold, so the
 * two can be compared page by page at the end. It is only sound when nothing still reads a mirrored page
 * to send it: true after pre-copy completes, and in post-copy because a destination vCPU writes a page only
 * after it arrived, i.e. after the source read it for the last time.
 *
 * <p>Immutable; safe to share.
 */
public final class VcpuTarget
{
    private final GuestMemory memory;
    private final PageGate gate;
    private final GuestMemory mirror;

    /**
     * @param memory the memory written.
     * @param gate   consulted before every write, or {@code null} when every page is present.
     * @param mirror also receives every write, or {@code null}; same size and page size as {@code memory}.
     */
    public VcpuTarget(final GuestMemory memory, final PageGate gate, final GuestMemory mirror)
    {
        if (memory == null)
        {
            throw new NullPointerException("memory");
        }
        if (mirror != null && (mirror.size() != memory.size() || mirror.pageSize() != memory.pageSize()))
        {
            throw new IllegalArgumentException("mirror " + mirror + " does not match " + memory);
        }
        this.memory = memory;
        this.gate = gate;
        this.mirror = mirror;
    }

    /** A target with no gate and no mirror: the source before migration. */
    public static VcpuTarget of(final GuestMemory memory)
    {
        return new VcpuTarget(memory, null, null);
    }

    /** @return the memory written. */
    public GuestMemory memory()
    {
        return memory;
    }

    /** @return the gate, or {@code null}. */
    public PageGate gate()
    {
        return gate;
    }

    /** @return the mirror, or {@code null}. */
    public GuestMemory mirror()
    {
        return mirror;
    }
}
