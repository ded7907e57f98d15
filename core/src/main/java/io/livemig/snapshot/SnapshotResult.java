package io.livemig.snapshot;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livemig.snapshot.save.SaveFigures;
import org.HdrHistogram.Histogram;

import java.util.List;
import java.util.Locale;

/**
 * What a save or a restore reports: one summary line ({@link #summary()}) and one JSON object ({@link
 * #toJson()}), whose field names are a published interface (add, never rename). Filled by {@link SnapshotRun}
 * on one thread, then read; not thread-safe.
 */
public final class SnapshotResult
{
    /** Jackson, made on first use: its start costs a cold JVM hundreds of ms, which a restore must not time. */
    private static final class Json
    {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    /** "save" or "restore". */
    public String operation;
    /** The file. */
    public String path;
    /** stopped, live or background: how the snapshot was taken. */
    public String snapshotMode;
    /** eager or lazy, for a restore. */
    public String restoreMode;
    /** The snapshot's id. */
    public String id;
    /** A diff snapshot's parent, as its header names it; null for a full snapshot. */
    public String parent;
    /** A restore: the files of the chain it read (1 for a full snapshot). */
    public int chain = 1;
    /** Guest bytes and page size. */
    public long memoryBytes;
    /** Bytes per page. */
    public int pageSize;
    /** Writer or reader threads. */
    public int threads;
    /** Pages whose bytes the file holds, and pages it holds as holes. */
    public long presentPages;
    /** Pages held as holes (zero). */
    public long zeroPages;
    /** Pages each save pass handled, the last with the vCPUs stopped. */
    public List<Long> pagesPerPass;
    /** Page writes over all passes. */
    public long writtenPages;
    /** A background save: pages a vCPU's write fault copied before its store. */
    public long copiedByFaults;
    /** A live save stopped because the rest fit the downtime limit. */
    public Boolean converged;
    /** Whole save, or restore until every page is in, ms. */
    public double totalMs = Double.NaN;
    /** vCPUs stopped during a save, ms. */
    public double downtimeMs = Double.NaN;
    /** Save: bitmap, digests, device state, force and header after the vCPUs resumed, ms. */
    public double finishMs = Double.NaN;
    /** Restore: from opening the file to the vCPUs running, ms. */
    public double resumeMs = Double.NaN;
    /** Restore: from opening the file to the last page in the guest, ms. */
    public double completeMs = Double.NaN;
    /** Page bytes moved per second of the whole operation, MB/s (10^6). */
    public double throughputMBps = Double.NaN;
    /** RAM written with O_DIRECT. */
    public boolean directIo;
    /** Why --direct-io was not used, or null. */
    public String directIoRefusal;
    /** Lazy restore: faults, their latency (µs), pages the prefetch thread loaded. */
    public long faults;
    /** Fault latency percentiles, µs. */
    public double faultP50Us = Double.NaN;
    /** 99th percentile. */
    public double faultP99Us = Double.NaN;
    /** Largest. */
    public double faultMaxUs = Double.NaN;
    /** Pages the prefetch thread loaded. */
    public long prefetchedPages;
    /** Lazy restore's faults under the kernel (userfaultfd) or the software gate. */
    public String faultPath;
    /** vCPU writes per second before the save / during it / after it (or after the restore). */
    public double writesPerSecBefore = Double.NaN;
    /** During the save. */
    public double writesPerSecDuring = Double.NaN;
    /** After. */
    public double writesPerSecAfter = Double.NaN;
    /** null: not asked; else whether every page checked. */
    public Boolean verified;
    /** Pages whose bytes disagreed, when verifying. */
    public long mismatchPages;
    /** Why the operation failed, or null. */
    public String error;

    /** Copies a save's figures. */
    void save(final SaveFigures f)
    {
        operation = "save";
        id = f.id().toString();
        snapshotMode = f.mode().cliName();
        pagesPerPass = f.pagesPerPass();
        writtenPages = f.writtenPages();
        presentPages = f.presentPages();
        zeroPages = f.zeroPages();
        copiedByFaults = f.copiedByFaults();
        converged = f.mode().ordinal() == 1 ? f.converged() : null;
        totalMs = f.totalNs() / 1e6;
        downtimeMs = f.downtimeNs() / 1e6;
        finishMs = f.finishNs() / 1e6;
        directIo = f.directIo();
        directIoRefusal = f.directIoRefusal();
        throughputMBps = (double)f.writtenPages() * pageSize / (f.totalNs() / 1e9) / 1e6;
    }

    /** Copies a lazy restore's fault latencies. */
    void faults(final Histogram latency)
    {
        faults = latency.getTotalCount();
        if (faults > 0)
        {
            faultP50Us = latency.getValueAtPercentile(50);
            faultP99Us = latency.getValueAtPercentile(99);
            faultMaxUs = latency.getMaxValue();
        }
    }

    /** @return one line in the spirit of QEMU's {@code info migrate}. */
    public String summary()
    {
        final StringBuilder b = new StringBuilder();
        b.append("Snapshot ").append(operation).append(": ").append(error == null ? "completed" : "failed");
        b.append(", file: ").append(path).append(", snapshot: ").append(snapshotMode);
        if (parent != null)
        {
            b.append(", diff of: ").append(parent);
            if ("restore".equals(operation))
            {
                b.append(" (").append(chain).append(" files)");
            }
        }
        if ("save".equals(operation))
        {
            b.append(String.format(Locale.ROOT, ", total time: %.1f ms, downtime: %.1f ms, passes: %s",
                totalMs, downtimeMs, pagesPerPass));
            if (converged != null)
            {
                b.append(converged ? " (converged)" : " (round limit)");
            }
            if ("background".equals(snapshotMode))
            {
                b.append(", copied before write: ").append(copiedByFaults);
            }
        }
        else
        {
            b.append(", restore: ").append(restoreMode);
            b.append(String.format(Locale.ROOT, ", resume: %.1f ms, all pages in: %.1f ms", resumeMs, completeMs));
            if ("lazy".equals(restoreMode))
            {
                b.append(String.format(Locale.ROOT, ", faults: %d (%s) p50 %.0f us p99 %.0f us max %.0f us, prefetched: %d",
                    faults, faultPath, faultP50Us, faultP99Us, faultMaxUs, prefetchedPages));
            }
        }
        b.append(String.format(Locale.ROOT, parent != null && "save".equals(operation) ?
            ", pages: %d in this file, %d from the parent, throughput: %.1f MB/s, threads: %d" :
            ", pages: %d present, %d zero, throughput: %.1f MB/s, threads: %d",
            presentPages, zeroPages, throughputMBps, threads));
        if (directIo || directIoRefusal != null)
        {
            b.append(", direct-io: ").append(directIo ? "on" : "off (" + directIoRefusal + ")");
        }
        if ("save".equals(operation) && !Double.isNaN(writesPerSecBefore))
        {
            b.append(String.format(Locale.ROOT, ", vcpu writes/s before %.0f during %.0f after %.0f",
                writesPerSecBefore, writesPerSecDuring, writesPerSecAfter));
        }
        else if (!"save".equals(operation) && !Double.isNaN(writesPerSecAfter))
        {
            b.append(String.format(Locale.ROOT, ", vcpu writes/s after %.0f", writesPerSecAfter));
        }
        if (verified != null)
        {
            b.append(", verified: ").append(verified);
        }
        if (error != null)
        {
            b.append(", error: ").append(error);
        }
        return b.toString();
    }

    /** @return the result as one JSON object (no newline); NaN becomes null. */
    public String toJson()
    {
        final ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("operation", operation);
        o.put("path", path);
        o.put("snapshotMode", snapshotMode);
        o.put("restoreMode", restoreMode);
        o.put("id", id);
        o.put("parent", parent);
        o.put("chain", chain);
        o.put("memoryBytes", memoryBytes);
        o.put("pageSize", pageSize);
        o.put("threads", threads);
        o.put("presentPages", presentPages);
        o.put("zeroPages", zeroPages);
        if (pagesPerPass != null)
        {
            pagesPerPass.forEach(o.putArray("pagesPerPass")::add);
        }
        o.put("writtenPages", writtenPages);
        o.put("copiedByFaults", copiedByFaults);
        if (converged != null)
        {
            o.put("converged", converged);
        }
        number(o, "totalMs", totalMs);
        number(o, "downtimeMs", downtimeMs);
        number(o, "finishMs", finishMs);
        number(o, "resumeMs", resumeMs);
        number(o, "completeMs", completeMs);
        number(o, "throughputMBps", throughputMBps);
        o.put("directIo", directIo);
        o.put("directIoRefusal", directIoRefusal);
        final ObjectNode f = o.putObject("faults");
        f.put("path", faultPath);
        f.put("count", faults);
        number(f, "p50Us", faultP50Us);
        number(f, "p99Us", faultP99Us);
        number(f, "maxUs", faultMaxUs);
        f.put("prefetchedPages", prefetchedPages);
        number(o, "writesPerSecBefore", writesPerSecBefore);
        number(o, "writesPerSecDuring", writesPerSecDuring);
        number(o, "writesPerSecAfter", writesPerSecAfter);
        if (verified == null)
        {
            o.putNull("verified");
        }
        else
        {
            o.put("verified", verified);
        }
        o.put("mismatchPages", mismatchPages);
        o.put("error", error);
        try
        {
            return Json.MAPPER.writeValueAsString(o);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void number(final ObjectNode o, final String name, final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            o.putNull(name);
        }
        else
        {
            o.put(name, Math.round(value * 1000) / 1000.0);
        }
    }
}
