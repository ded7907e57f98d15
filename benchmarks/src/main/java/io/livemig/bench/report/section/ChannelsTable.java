package io.livemig.bench.report.section;

import io.livemig.bench.report.result.JmhResult;
import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.Metric;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The report's "Channels" table: {@code ChannelsBenchmark}'s 1 GiB guests over 1, 2 and 4 page channels on TCP
 * loopback, GB/s and CPU seconds per GB (the process's, and split by the migration's threads), each beside the
 * class's baseline at the same N (every page copied raw over the same connections: "raw copy" rows, and a
 * "÷ raw copy" column for the migrations), then the goal read from the same rows: the written-once
 * guest at 3 GB/s or more with the best N. With {@code tls}: each TLS row beside its own baseline (a bare
 * SSLEngine copy over the same connections), its speed ÷ the same migration in clear, and the time the TLS
 * handshakes add to opening the link, judged on every shot of the idle guest.
 *
 * <p>Stateless; thread-safe.
 */
public final class ChannelsTable
{
    /** The goal of issue #11 for the written-once guest with the best channel count, GB/s. */
    static final double GOAL_GB_PER_SECOND = 3.0;
    /** Issue #22's: TLS handshakes add at most this to an idle 1 GiB migration, ms. */
    static final double HANDSHAKE_GOAL_MS = 20;

    private ChannelsTable()
    {
    }

    /** Appends the section. */
    public static void section(final StringBuilder md, final List<JmhResult> results)
    {
        md.append("## Channels\n\n");
        md.append(of(results).map(t -> "Page channels (QEMU's multifd; ChannelsBenchmark): a 1 GiB " +
                "guest, idle or written once, migrated over TCP loopback at unlimited bandwidth with 1, 2 or 4 " +
                "channels, in clear and inside TLS 1.3 (one session per connection), source and destination in one process, beside the class's baseline: every page of a 1 GiB " +
                "guest copied raw over the same connections (a sender and a receiver thread per connection; no " +
                "header, codec or zero check), what a plain copy loop pays for the bytes the written guest sends. CPU seconds per GB moved: the " +
                "process's (every thread), then by the migration's threads (the baseline's senders and receivers " +
                "in theirs). Means per shot.\n\n" + t)
            .orElse("_Skipped: no ChannelsBenchmark results in this run._\n\n"));
    }

    /** @return the table and the goal's verdict, or empty without {@code ChannelsBenchmark} results. */
    public static Optional<String> of(final List<JmhResult> results)
    {
        final StringBuilder md = new StringBuilder();
        md.append("| guest | channels | TLS | GB/s | ÷ its copy | TLS ÷ clear | link setup ms | CPU s/GB (process) | ")
            .append("migration thread | senders | destination thread | receivers | shots |\n")
            .append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        final Map<String, Double> copies = new HashMap<>();
        final Map<String, Double> clearMigrations = new HashMap<>();
        for (final JmhResult r : results)
        {
            if (r.simpleClassName().equals("ChannelsBenchmark") && r.param("channels").isPresent())
            {
                if (r.benchmark().endsWith(".baselineLoopbackCopy"))
                {
                    copies.put(r.param("channels").get() + tls(r), mean(r, "gbPerSecond"));
                }
                else if (!tls(r) && r.param("fill").isPresent())
                {
                    clearMigrations.put(r.param("channels").get() + r.param("fill").get(), mean(r, "gbPerSecond"));
                }
            }
        }
        boolean any = false;
        double best = Double.NaN;
        String bestChannels = "?";
        final StringBuilder handshakes = new StringBuilder();
        for (final JmhResult r : results)
        {
            if (!r.simpleClassName().equals("ChannelsBenchmark") || r.param("channels").isEmpty())
            {
                continue;
            }
            final String guest;
            final double gbps = mean(r, "gbPerSecond");
            final String channels = r.param("channels").get();
            String ratio = "";
            String tlsRatio = "";
            if (r.benchmark().endsWith(".baselineLoopbackCopy"))
            {
                guest = tls(r) ? "SSLEngine copy (baseline)" : "raw copy (baseline)";
            }
            else if (r.benchmark().endsWith(".migrate") && r.param("fill").isPresent())
            {
                final boolean written = Double.parseDouble(r.param("fill").get()) > 0;
                guest = written ? "written once" : "idle";
                if (written && !tls(r) && (Double.isNaN(best) || gbps > best))
                {
                    best = gbps;
                    bestChannels = channels;
                }
                final Double copy = copies.get(channels + tls(r));
                ratio = copy == null || copy <= 0 ? "n/a" : Fmt.num(gbps / copy);
                final Double clear = clearMigrations.get(channels + r.param("fill").get());
                tlsRatio = !tls(r) ? "" : clear == null || clear <= 0 ? "n/a" : Fmt.num(gbps / clear);
                if (tls(r))
                {
                    handshakes.append(handshake(results, r, channels, guest));
                }
            }
            else
            {
                continue;
            }
            any = true;
            md.append("| ").append(guest).append(" | ").append(channels)
                .append(" | ").append(tls(r) ? r.param("suite").orElse("yes") : "no")
                .append(" | ").append(Fmt.num(gbps))
                .append(" | ").append(ratio)
                .append(" | ").append(tlsRatio)
                .append(" | ").append(Fmt.num(mean(r, "linkSetupMs")))
                .append(" | ").append(Fmt.num(mean(r, "cpuSecondsPerGb")))
                .append(" | ").append(Fmt.num(mean(r, "migrationCpuSecondsPerGb")))
                .append(" | ").append(Fmt.num(mean(r, "sendersCpuSecondsPerGb")))
                .append(" | ").append(Fmt.num(mean(r, "destinationCpuSecondsPerGb")))
                .append(" | ").append(Fmt.num(mean(r, "receiversCpuSecondsPerGb")))
                .append(" | ").append(r.secondary("gbPerSecond").map(m -> m.rawData().stream().mapToInt(List::size).sum())
                    .orElse(0)).append(" |\n");
        }
        if (!any)
        {
            return Optional.empty();
        }
        md.append('\n');
        if (!Double.isNaN(best))
        {
            md.append(String.format(Locale.ROOT, "Goal: the written-once 1 GiB guest at %.1f GB/s or more with the " +
                    "best N. Best here: %s GB/s with %s channel(s): %s.%n%n", GOAL_GB_PER_SECOND, Fmt.num(best),
                bestChannels, best >= GOAL_GB_PER_SECOND ? "met" : String.format(Locale.ROOT, "short by %.0f %%; " +
                    "the CPU split above says where the time goes (both ends run in this one process, on the " +
                    "machine's cores)", 100 * (1 - best / GOAL_GB_PER_SECOND))));
        }
        if (handshakes.length() > 0)
        {
            md.append("TLS handshakes, the link setup of each TLS shot against the mean in clear (goal: they add at " +
                "most ").append(Fmt.plain(HANDSHAKE_GOAL_MS)).append(" ms to an idle 1 GiB migration; the setup does not " +
                "depend on the guest's pages; judged on every shot, not the mean): ").append(handshakes).append("\n\n");
        }
        return Optional.of(md.toString());
    }

    /** The TLS link setup of {@code tls}'s shots against the clear setup's mean at the same channel count. */
    private static String handshake(final List<JmhResult> results, final JmhResult tls, final String channels,
        final String guest)
    {
        final Optional<JmhResult> clear = results.stream().filter(o -> o.simpleClassName().equals("ChannelsBenchmark") &&
            o.benchmark().endsWith(".migrate") && !tls(o) && o.param("channels").equals(tls.param("channels")) &&
            o.param("fill").equals(tls.param("fill"))).findFirst();
        final double worst = tls.secondary("linkSetupMs").map(m -> m.rawData().stream().flatMap(List::stream)
            .mapToDouble(Double::doubleValue).max().orElse(Double.NaN)).orElse(Double.NaN);
        final double base = clear.map(c -> mean(c, "linkSetupMs")).orElse(Double.NaN);
        final double added = worst - base;
        return String.format(Locale.ROOT, "%s, %s channel(s): worst shot %s ms against %s ms in clear, +%s ms: %s. ",
            guest, channels,
            Fmt.num(worst), Fmt.num(base), Fmt.num(added), Double.isNaN(added) ? "unresolved" :
                added <= HANDSHAKE_GOAL_MS ? "met" : "short");
    }

    private static boolean tls(final JmhResult r)
    {
        return r.param("tls").orElse("false").equals("true");
    }

    private static double mean(final JmhResult r, final String counter)
    {
        return r.secondary(counter).map(Metric::meanPerIteration).orElse(Double.NaN);
    }
}
