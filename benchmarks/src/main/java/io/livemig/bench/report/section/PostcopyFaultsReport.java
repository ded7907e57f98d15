package io.livemig.bench.report.section;

import io.livemig.bench.report.result.EnvJson;
import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.Metric;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The report's "Software vs kernel faults" section, from {@code PostcopyFaultsBenchmark}: post-copy fault
 * latency p50/p99/max per shot, software gates against userfaultfd MISSING faults, on the memory link and over
 * TCP, beside QEMU's published page-request latency. Where the kernel method was not measured, the section
 * says why (env.json's {@code kernel.skipped}, the runner's probe).
 *
 * <p>Stateless; thread-safe.
 */
public final class PostcopyFaultsReport
{
    static final String CLASS = "PostcopyFaultsBenchmark";

    private PostcopyFaultsReport()
    {
    }

    /** Appends the section. */
    public static void section(final StringBuilder md, final List<JmhResult> results, final Map<String, Object> env)
    {
        md.append("## Software vs kernel faults (post-copy)\n\n");
        if (results.stream().noneMatch(r -> r.simpleClassName().equals(CLASS)))
        {
            md.append("_Not measured in this run: no ").append(CLASS).append(" results._\n\n");
            return;
        }
        md.append("One shot is a post-copy migration of a 16 MiB guest over a 256 MiB/s link, two destination vCPUs ")
            .append("writing random pages flat out (`").append(CLASS).append("`; `scripts/migrate --mode postcopy ")
            .append("--faults software|kernel`). Software: a vCPU parks at a gate, latency from its park to its ")
            .append("wake-up. Kernel (userfaultfd MISSING mode, JDK 22+): the vCPU blocks in the kernel, latency from ")
            .append("the fault thread's read of the fault message to the page's `UFFDIO_COPY` (the kernel's delivery ")
            .append("and wake-up are outside it). Each figure is the mean over shots of that shot's value:\n\n")
            .append("| faults | link | faults per shot | p50 | p99 | max | post-copy |\n")
            .append("|---|---|---|---|---|---|---|\n");
        for (final String link : List.of("memory", "tcp"))
        {
            row(md, results, "software", "softwareFaults", link);
            row(md, results, "kernel", "kernelFaults", link);
        }
        md.append('\n');
        if (find(results, "kernelFaults", "memory").isEmpty() && find(results, "kernelFaults", "tcp").isEmpty())
        {
            md.append("_Kernel faults not measured in this run: ")
                .append(EnvJson.text(env, "kernel.skipped", "no kernelFaults results")).append("._\n\n");
        }
        md.append("Published anchor: QEMU's post-copy page-request latency averaged 12.1 ms without the preempt ")
            .append("channel and 0.5 ms with it (20 GB guest, 10 Gb/s; Peter Xu's postcopy-preempt series). ")
            .append("Here a request waits behind at most the source's 64 KiB page buffer and one pushed page, on a ")
            .append("256 MiB/s link.\n\n");
    }

    private static void row(final StringBuilder md, final List<JmhResult> results, final String name,
                            final String method, final String link)
    {
        final Optional<JmhResult> r = find(results, method, link);
        if (r.isEmpty())
        {
            return;
        }
        md.append("| ").append(name).append(" | ").append(link).append(" | ")
            .append(Fmt.num(mean(r.get(), "faults"))).append(" | ")
            .append(us(mean(r.get(), "faultP50Us"))).append(" | ")
            .append(us(mean(r.get(), "faultP99Us"))).append(" | ")
            .append(us(mean(r.get(), "faultMaxUs"))).append(" | ")
            .append(Fmt.num(mean(r.get(), "postcopyMs"))).append(" ms |\n");
    }

    private static Optional<JmhResult> find(final List<JmhResult> results, final String method, final String link)
    {
        return results.stream().filter(r -> r.simpleClassName().equals(CLASS) && r.method().equals(method) &&
            r.param("link").map(link::equals).orElse(false)).findFirst();
    }

    private static double mean(final JmhResult r, final String counter)
    {
        return r.secondary(counter).map(Metric::meanPerIteration).orElse(Double.NaN);
    }

    private static String us(final double value)
    {
        return Double.isNaN(value) ? "–" : value >= 1000 ? Fmt.num(value / 1000) + " ms" : Fmt.num(value) + " µs";
    }
}
