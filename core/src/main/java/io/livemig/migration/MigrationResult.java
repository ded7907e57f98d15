package io.livemig.migration;

import io.livemig.stream.PageKind;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of one migration: whether and why it converged, its times (total, setup, downtime from vCPU
 * stop to destination resume), rounds with their dirty rates, wire bytes and pages by kind, XBZRLE cache
 * figures, the final throttle, post-copy fault latencies, guest progress before, during and after, and the
 * verification verdict. {@link #summary()} gives one line in the spirit of QEMU's {@code info migrate};
 * {@link #toJson()} one JSON object.
 *
 * <p>Filled in by the engine on its thread and published to the caller by {@link Migration#run()}'s return;
 * after that it is effectively immutable. Not thread-safe for concurrent filling.
 */
public final class MigrationResult
{
    String mode = "";
    String link = "";
    String policy = "";
    long memoryBytes;
    int pageSize;
    long bandwidth;
    long downtimeLimitMs;
    boolean converged;
    String reason = "";
    String error;
    double totalMs;
    double setupMs;
    double downtimeMs;
    double postcopyMs;
    int rounds;
    long wireBytes;
    final long[] pages = new long[PageKind.count()];
    long xbzrleCacheMiss;
    double xbzrleCacheMissRate;
    long xbzrleOverflow;
    double xbzrleEncodingRate;
    int throttlePercent;
    long faults;
    double faultP50Us;
    double faultP99Us;
    double faultMaxUs;
    long requestedPages;
    long prepagedPages;
    long pushedPages;
    String tracker = "summary";
    boolean kernelHugePages;
    long kernelFaults = -1;
    int ringSize;
    long ringPushes;
    long ringStalls;
    double ringStallMs;
    long dirtyLimitBytesPerSecond;
    boolean dirtyLimitTriggered;
    boolean autoConverge;
    double[] vcpuWritesPerSecBefore;
    double[] vcpuWritesPerSecDuring;
    double[] vcpuWritesPerSecAfter;
    double writesPerSecBefore = Double.NaN;
    double writesPerSecDuring = Double.NaN;
    double writesPerSecPostcopy = Double.NaN;
    double writesPerSecAfter = Double.NaN;
    Boolean verified;
    final List<Long> mismatchPages = new ArrayList<>();
    long sweepViolation = -1;
    final List<RoundStats> roundStats = new ArrayList<>();

    /** @return {@code precopy}, {@code postcopy} or {@code hybrid}. */
    public String mode()
    {
        return mode;
    }

    /** @return whether pre-copy reached the stop threshold (post-copy: whether every page arrived). */
    public boolean converged()
    {
        return converged;
    }

    /** @return why the migration ended the way it did. */
    public String reason()
    {
        return reason;
    }

    /** @return the error that failed the migration, or {@code null}. */
    public String error()
    {
        return error;
    }

    /** @return milliseconds from start to the destination holding every page. */
    public double totalMs()
    {
        return totalMs;
    }

    /** @return milliseconds of setup before the first page. */
    public double setupMs()
    {
        return setupMs;
    }

    /** @return milliseconds from vCPU stop on the source to vCPU resume on the destination. */
    public double downtimeMs()
    {
        return downtimeMs;
    }

    /** @return milliseconds of post-copy: destination resume to the last page placed; 0 without post-copy. */
    public double postcopyMs()
    {
        return postcopyMs;
    }

    /** @return pre-copy rounds sent while the guest ran (the stop-and-copy pass not counted). */
    public int rounds()
    {
        return rounds;
    }

    /** @return every byte put on the forward link: envelope, page stream, device state. */
    public long wireBytes()
    {
        return wireBytes;
    }

    /** @return pages sent (or found unchanged) as {@code kind}. */
    public long pages(final PageKind kind)
    {
        return pages[kind.ordinal()];
    }

    /** @return the throttle at the end, percent. */
    public int throttlePercent()
    {
        return throttlePercent;
    }

    /** @return post-copy faults taken by destination vCPUs. */
    public long faults()
    {
        return faults;
    }

    /** @return 99th percentile of fault latency, microseconds. */
    public double faultP99Us()
    {
        return faultP99Us;
    }

    /** @return pages sent because a fault asked for them. */
    public long requestedPages()
    {
        return requestedPages;
    }

    /** @return pages sent because they were near a requested page (pre-paging). */
    public long prepagedPages()
    {
        return prepagedPages;
    }

    /** @return pages sent by the background push after switch-over. */
    public long pushedPages()
    {
        return pushedPages;
    }

    /** @return the verdict of the page-by-page comparison, or {@code null} if none was made. */
    public Boolean verified()
    {
        return verified;
    }

    /** @return the first pages that differed (at most a few), empty if none or not verified. */
    public List<Long> mismatchPages()
    {
        return Collections.unmodifiableList(mismatchPages);
    }

    /** @return the first page breaking the sequential-sweep invariant on the destination, or -1. */
    public long sweepViolation()
    {
        return sweepViolation;
    }

    /** @return the rounds in order. */
    public List<RoundStats> roundStats()
    {
        return Collections.unmodifiableList(roundStats);
    }

    /** @return guest writes per second before migration, NaN if not measured. */
    public double writesPerSecBefore()
    {
        return writesPerSecBefore;
    }

    /** @return guest writes per second while the source ran during migration, NaN if none. */
    public double writesPerSecDuring()
    {
        return writesPerSecDuring;
    }

    /** @return guest writes per second on the destination during post-copy, NaN if none. */
    public double writesPerSecPostcopy()
    {
        return writesPerSecPostcopy;
    }

    /** @return guest writes per second after migration, NaN if not measured. */
    public double writesPerSecAfter()
    {
        return writesPerSecAfter;
    }

    /**
     * @return the dirty tracker of the source: {@code bitmap}, {@code summary}, {@code ring}, or a kernel tracker,
     *         {@code uffd-wp-async} or {@code uffd-wp}.
     */
    public String tracker()
    {
        return tracker;
    }

    /** @return write faults a thread of livemig served for a kernel tracker (0 for uffd-wp-async), -1 for the others. */
    public long kernelFaults()
    {
        return kernelFaults;
    }

    /** @return ring entries pushed by the source's vCPUs over the run (0 unless the tracker is the ring). */
    public long ringPushes()
    {
        return ringPushes;
    }

    /** @return times a source vCPU stalled on a soft-full ring over the run (0 unless the tracker is the ring). */
    public long ringStalls()
    {
        return ringStalls;
    }

    /** @return each vCPU's writes per second between two snapshots {@code nanos} apart. */
    static double[] rates(final long[] before, final long[] after, final long nanos)
    {
        final double[] rates = new double[before.length];
        for (int i = 0; i < rates.length; i++)
        {
            rates[i] = (after[i] - before[i]) / (nanos / 1e9);
        }
        return rates;
    }

    /** @return each vCPU's writes per second before migration, or null if not measured. */
    public double[] vcpuWritesPerSecBefore()
    {
        return vcpuWritesPerSecBefore == null ? null : vcpuWritesPerSecBefore.clone();
    }

    /** @return each vCPU's writes per second from the start of migration to the vCPUs' stop, or null. */
    public double[] vcpuWritesPerSecDuring()
    {
        return vcpuWritesPerSecDuring == null ? null : vcpuWritesPerSecDuring.clone();
    }

    /** @return each vCPU's writes per second after migration, on the destination, or null. */
    public double[] vcpuWritesPerSecAfter()
    {
        return vcpuWritesPerSecAfter == null ? null : vcpuWritesPerSecAfter.clone();
    }

    /** @return whether dirty-limit was asked for and its trigger fired. */
    public boolean dirtyLimitTriggered()
    {
        return dirtyLimitTriggered;
    }

    /** One-line list of per-vCPU rates, e.g. {@code [1200, 35]}; {@code -} when not measured. */
    private static String rateList(final double[] rates)
    {
        if (rates == null)
        {
            return "-";
        }
        final StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < rates.length; i++)
        {
            sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.0f", rates[i]));
        }
        return sb.append(']').toString();
    }

    private static void jsonRates(final StringBuilder sb, final String name, final double[] rates)
    {
        sb.append('"').append(name).append("\":");
        if (rates == null)
        {
            sb.append("null");
            return;
        }
        sb.append('[');
        for (int i = 0; i < rates.length; i++)
        {
            sb.append(i > 0 ? "," : "").append(num(rates[i]));
        }
        sb.append(']');
    }

    /** @return one line in the spirit of QEMU's {@code info migrate}. */
    public String summary()
    {
        final double throughputMbps = totalMs > 0 ? wireBytes * 8 / 1e6 / (totalMs / 1e3) : 0;
        final StringBuilder sb = new StringBuilder(256);
        sb.append("Migration status: ").append(error != null ? "failed" : "completed")
            .append(converged ? " (converged)" : " (not converged)")
            .append(", mode: ").append(mode).append(", link: ").append(link)
            .append(String.format(Locale.ROOT, ", total time: %.0f ms, downtime: %.1f ms, setup: %.1f ms",
                totalMs, downtimeMs, setupMs))
            .append(", transferred ram: ").append(wireBytes / 1024).append(" kbytes")
            .append(String.format(Locale.ROOT, ", throughput: %.2f mbps", throughputMbps))
            .append(", dirty sync count: ").append(rounds)
            .append(", normal: ").append(pages[PageKind.NORMAL.ordinal()])
            .append(", zero: ").append(pages[PageKind.ZERO.ordinal()])
            .append(", xbzrle: ").append(pages[PageKind.XBZRLE.ordinal()])
            .append(", lz4: ").append(pages[PageKind.LZ4.ordinal()])
            .append(String.format(Locale.ROOT, ", cache miss rate: %.3f", xbzrleCacheMissRate))
            .append(", throttle: ").append(throttlePercent).append(" %")
            .append(", tracker: ").append(tracker);
        if (kernelFaults >= 0)
        {
            sb.append(" (").append(kernelHugePages ? "huge pages" : "4k pages").append(", ")
                .append(kernelFaults).append(" write faults served)");
        }
        if (ringSize > 0)
        {
            sb.append(String.format(Locale.ROOT, " (%d entries, %d pushes, %d stalls, %.1f ms stalled)",
                ringSize, ringPushes, ringStalls, ringStallMs));
        }
        if (dirtyLimitBytesPerSecond > 0)
        {
            sb.append(String.format(Locale.ROOT, ", dirty-limit: %.1f MB/s per vCPU (%s)",
                dirtyLimitBytesPerSecond / 1e6, dirtyLimitTriggered ? "triggered" : "not triggered"));
        }
        if (vcpuWritesPerSecDuring != null)
        {
            sb.append(", vcpu writes/s before ").append(rateList(vcpuWritesPerSecBefore))
                .append(" during ").append(rateList(vcpuWritesPerSecDuring))
                .append(" after ").append(rateList(vcpuWritesPerSecAfter));
        }
        if (faults > 0 || postcopyMs > 0)
        {
            sb.append(String.format(Locale.ROOT, ", postcopy: %.0f ms, faults: %d (p50 %.0f us, p99 %.0f us, max %.0f us)",
                postcopyMs, faults, faultP50Us, faultP99Us, faultMaxUs));
        }
        if (verified != null)
        {
            sb.append(", verified: ").append(verified);
        }
        sb.append(", reason: ").append(reason);
        if (error != null)
        {
            sb.append(", error: ").append(error);
        }
        return sb.toString();
    }

    /** @return the result as one JSON object (no newline). */
    public String toJson()
    {
        final StringBuilder sb = new StringBuilder(1024);
        sb.append('{');
        str(sb, "mode", mode).append(',');
        str(sb, "link", link).append(',');
        str(sb, "policy", policy).append(',');
        sb.append("\"tracker\":{");
        str(sb, "kind", tracker);
        if (kernelFaults >= 0)
        {
            sb.append(",\"hugePages\":").append(kernelHugePages).append(",\"faultsServed\":").append(kernelFaults);
        }
        if (ringSize > 0)
        {
            sb.append(",\"ringSize\":").append(ringSize)
                .append(",\"pushes\":").append(ringPushes)
                .append(",\"stalls\":").append(ringStalls)
                .append(",\"stallMs\":").append(num(ringStallMs));
        }
        sb.append("},");
        sb.append("\"memoryBytes\":").append(memoryBytes)
            .append(",\"pageSize\":").append(pageSize)
            .append(",\"bandwidth\":").append(bandwidth)
            .append(",\"downtimeLimitMs\":").append(downtimeLimitMs)
            .append(",\"converged\":").append(converged).append(',');
        str(sb, "reason", reason).append(',');
        sb.append("\"error\":");
        if (error == null)
        {
            sb.append("null");
        }
        else
        {
            quote(sb, error);
        }
        sb.append(",\"totalMs\":").append(num(totalMs))
            .append(",\"setupMs\":").append(num(setupMs))
            .append(",\"downtimeMs\":").append(num(downtimeMs))
            .append(",\"postcopyMs\":").append(num(postcopyMs))
            .append(",\"rounds\":").append(rounds)
            .append(",\"wireBytes\":").append(wireBytes)
            .append(",\"pages\":{\"zero\":").append(pages[PageKind.ZERO.ordinal()])
            .append(",\"normal\":").append(pages[PageKind.NORMAL.ordinal()])
            .append(",\"xbzrle\":").append(pages[PageKind.XBZRLE.ordinal()])
            .append(",\"lz4\":").append(pages[PageKind.LZ4.ordinal()])
            .append(",\"unchanged\":").append(pages[PageKind.UNCHANGED.ordinal()])
            .append("},\"xbzrle\":{\"cacheMiss\":").append(xbzrleCacheMiss)
            .append(",\"cacheMissRate\":").append(num(xbzrleCacheMissRate))
            .append(",\"overflow\":").append(xbzrleOverflow)
            .append(",\"encodingRate\":").append(num(xbzrleEncodingRate))
            .append("},\"throttlePct\":").append(throttlePercent)
            .append(",\"faults\":{\"count\":").append(faults)
            .append(",\"p50Us\":").append(num(faultP50Us))
            .append(",\"p99Us\":").append(num(faultP99Us))
            .append(",\"maxUs\":").append(num(faultMaxUs))
            .append(",\"requestedPages\":").append(requestedPages)
            .append(",\"prepagedPages\":").append(prepagedPages)
            .append(",\"pushedPages\":").append(pushedPages)
            .append("},\"writesPerSec\":{\"before\":").append(num(writesPerSecBefore))
            .append(",\"during\":").append(num(writesPerSecDuring))
            .append(",\"postcopy\":").append(num(writesPerSecPostcopy))
            .append(",\"after\":").append(num(writesPerSecAfter))
            .append("},\"vcpuWritesPerSec\":{");
        jsonRates(sb, "before", vcpuWritesPerSecBefore);
        sb.append(',');
        jsonRates(sb, "during", vcpuWritesPerSecDuring);
        sb.append(',');
        jsonRates(sb, "after", vcpuWritesPerSecAfter);
        sb.append("},\"throttle\":{\"autoConverge\":").append(autoConverge)
            .append(",\"dirtyLimitBytesPerSec\":").append(dirtyLimitBytesPerSecond)
            .append(",\"dirtyLimitTriggered\":").append(dirtyLimitTriggered)
            .append("},\"verified\":").append(verified)
            .append(",\"mismatchPages\":").append(mismatchPages)
            .append(",\"sweepViolation\":").append(sweepViolation)
            .append(",\"roundStats\":[");
        for (int i = 0; i < roundStats.size(); i++)
        {
            if (i > 0)
            {
                sb.append(',');
            }
            roundStats.get(i).appendJson(sb);
        }
        return sb.append("]}").toString();
    }

    @Override
    public String toString()
    {
        return summary();
    }

    /** A JSON number; NaN and infinities, which JSON lacks, become {@code null}. */
    static String num(final double v)
    {
        if (Double.isNaN(v) || Double.isInfinite(v))
        {
            return "null";
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long)v) : String.format(Locale.ROOT, "%.3f", v);
    }

    private static StringBuilder str(final StringBuilder sb, final String name, final String value)
    {
        sb.append('"').append(name).append("\":");
        quote(sb, value);
        return sb;
    }

    private static void quote(final StringBuilder sb, final String s)
    {
        sb.append('"');
        for (int i = 0; i < s.length(); i++)
        {
            final char c = s.charAt(i);
            if (c == '"' || c == '\\')
            {
                sb.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                sb.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
            }
            else
            {
                sb.append(c);
            }
        }
        sb.append('"');
    }
}
