package io.livemig.migration;

import io.livemig.migration.fault.FaultPlan;
import io.livemig.migration.fault.FaultyLink;
import io.livemig.migration.link.DeadlineLink;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.GiveUp;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.workload.VcpuTarget;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault campaign of issue 12: cuts at random points of pre-copy and the switch-over (byte offsets over the
 * whole stream, its tail, which holds the stop-and-copy round, the device state and COMPLETE, and the phase
 * announcements), each followed by a retry from the same source guest, its writer still running. It counts:
 * cuts survived (exactly one side runs the guest afterwards and the guests then verify byte-identical), pages
 * lost (pages that differ after the retry: must be 0), runs where both or neither side ran the guest (must be
 * 0), and hung threads (threads a run started that are still alive a deadline after it: must be 0). One cut in
 * twenty is a stall longer than the link timeout instead, which must turn into a cut ({@link DeadlineLink}). Three
 * cuts in thirteen hit post-copy instead ({@code --recover}): the link is cut at the first page request the
 * source reads after a random count of forward bytes ({@link CutInPostcopy}: a request proves the destination
 * runs the guest), and the cut must be recovered from over a new link, the guest then verifying on the
 * destination.
 *
 * <p>Seeded: {@code -Dlivemig.faults.seed=N} (default 12) and {@code -Dlivemig.faults.cuts=N} (default 200,
 * about 10-20 s on 2 cores). The full size is {@code scripts/fault-campaign} (2000 cuts), which prints the
 * table this prints.
 */
class FaultCampaignTest
{
    private static final long SEED = Long.getLong("livemig.faults.seed", 12);
    private static final int CUTS = Integer.getInteger("livemig.faults.cuts", 200);
    /** Deadline of one migration; also how long a run's threads get to end. */
    private static final long RUN_DEADLINE_MS = 20_000;

    /** One row of the table: the outcomes of the cuts of one kind. */
    private static final class Row
    {
        int cuts;
        int fired;
        int survived;
        int onSource;
        int onDestination;
        int bothOrNeither;
        long pagesLost;
        int hung;
    }

    @Test
    void cutsAtRandomPointsLoseNothingAndLeaveTheGuestOnExactlyOneSide() throws Exception
    {
        final ExecutorService runner = Executors.newSingleThreadExecutor(r ->
        {
            final Thread t = new Thread(r, "fault-campaign");
            t.setDaemon(true);
            return t;
        });
        try
        {
            final Future<Map<String, Row>> table = runner.submit(this::campaign);
            final Map<String, Row> rows = table.get(60_000L + CUTS * 2_000L, TimeUnit.MILLISECONDS);
            final Row all = new Row();
            for (final Row r : rows.values())
            {
                all.cuts += r.cuts;
                all.fired += r.fired;
                all.survived += r.survived;
                all.onSource += r.onSource;
                all.onDestination += r.onDestination;
                all.bothOrNeither += r.bothOrNeither;
                all.pagesLost += r.pagesLost;
                all.hung += r.hung;
            }
            rows.put("all", all);
            System.out.println(format(rows));
            assertEquals(CUTS, all.cuts);
            assertEquals(0, all.pagesLost, "pages lost");
            assertEquals(0, all.bothOrNeither, "runs where both or neither side ran the guest");
            assertEquals(0, all.hung, "hung threads");
            assertEquals(all.cuts, all.survived, "cuts not survived");
            assertTrue(all.fired >= CUTS / 2, "most cuts fire: " + all.fired + " of " + CUTS);
        }
        finally
        {
            runner.shutdownNow();
        }
    }

    private Map<String, Row> campaign() throws Exception
    {
        final Map<String, Row> rows = new LinkedHashMap<>();
        for (final String k : List.of("bytes: anywhere", "bytes: switch-over tail", "phase: setup", "phase: precopy round",
            "phase: stop-and-copy", POSTCOPY_ROW, STALL_ROW))
        {
            rows.put(k, new Row());
        }
        final SplittableRandom random = new SplittableRandom(SEED);
        try (FaultMigrationTest.Guest g = new FaultMigrationTest.Guest(true))
        {
            for (int i = 0; i < 3; i++)
            {
                total = streamBytes(g); // warm: the first runs, with the JIT cold, send more rounds
            }
            for (int i = 0; i < CUTS; i++)
            {
                final String link = random.nextInt(10) == 0 ? "tcp" : "memory";
                final int kind = random.nextInt(20) == 0 ? -1 : random.nextInt(13);
                final String row;
                final FaultPlan.Trigger trigger;
                if (kind < 0)
                {
                    row = STALL_ROW;
                    trigger = FaultPlan.Trigger.afterBytes(random.nextLong(total + 1));
                }
                else if (kind < 4)
                {
                    row = "bytes: anywhere";
                    trigger = FaultPlan.Trigger.afterBytes(random.nextLong(total + 1));
                }
                else if (kind < 7)
                {
                    row = "bytes: switch-over tail";
                    final long tail = 320 << 10; // the device state (256 KiB) and the last round's pages
                    trigger = FaultPlan.Trigger.afterBytes(Math.max(0, total - tail + random.nextLong(tail + 64)));
                }
                else if (kind == 7)
                {
                    row = "phase: setup";
                    trigger = FaultPlan.Trigger.atPhase("setup", -1);
                }
                else if (kind == 8)
                {
                    row = "phase: precopy round";
                    trigger = FaultPlan.Trigger.atPhase("precopy", random.nextInt(2));
                }
                else if (kind == 9)
                {
                    row = "phase: stop-and-copy";
                    trigger = FaultPlan.Trigger.atPhase("stop-and-copy", -1);
                }
                else
                {
                    postcopyCut(g, link, random.nextLong(FaultMigrationTest.PAGES * 4096L), rows.get(POSTCOPY_ROW));
                    continue;
                }
                cut(g, link, trigger, rows.get(row), rows);
            }
        }
        return rows;
    }

    private static final int OPTIONS_ROUNDS = 4;
    /** One cut in twenty is a stall of 5 s at a random byte, under a link timeout of 0.5 s: it must become a cut. */
    private static final String STALL_ROW = "stall 5 s > 0.5 s timeout";
    private static final long STALL_NS = 5_000_000_000L;
    private static final long STALL_TIMEOUT_MS = 500;

    /** Post-copy cuts, each recovered from over a new link of the same kind. */
    private static final String POSTCOPY_ROW = "post-copy, recovered";

    /** Forward bytes of the last migration that ran to its end: where a stream ends, for the next cut. */
    private long total;

    /** Pre-copy that goes a few rounds (1 ms of downtime), then a forced switch-over: every phase is reached. */
    private static MigrationOptions options()
    {
        return MigrationOptions.defaults().withBandwidth(256L << 20).withDowntimeLimitMs(1).withMaxRounds(OPTIONS_ROUNDS)
            .withOnGiveUp(GiveUp.STOP);
    }

    /** @return the forward bytes of one migration of this guest without a fault (then moves it back). */
    private static long streamBytes(final FaultMigrationTest.Guest g) throws Exception
    {
        final FaultyLink probe = new FaultyLink(MigrationLink.open("memory", 256L << 20, 0), FaultPlan.NONE);
        try (probe)
        {
            final MigrationResult r = g.migrate(probe, options());
            assertEquals(MigrationResult.COMPLETED, r.status(), r::summary);
        }
        moveBack(g, new MigrationResult());
        return probe.forwardBytes();
    }

    /** One cut, then (if it failed) a retry; records the outcome in {@code row}. */
    private void cut(final FaultMigrationTest.Guest g, final String link, final FaultPlan.Trigger trigger,
        final Row row, final Map<String, Row> rows) throws Exception
    {
        final Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        row.cuts++;
        final boolean stall = row == rows.get(STALL_ROW);
        final FaultyLink faulty = new FaultyLink(MigrationLink.open(link, 256L << 20, 0), stall ?
            new FaultPlan(List.of(new FaultPlan.Rule(FaultPlan.Action.STALL, trigger, STALL_NS, 0))) :
            FaultMigrationTest.rule(trigger));
        final MigrationResult first;
        try (MigrationLink bounded = stall ? new DeadlineLink(faulty, STALL_TIMEOUT_MS) : faulty)
        {
            first = g.migrate(bounded, options());
        }
        if (stall && !faulty.events().isEmpty())
        {
            row.fired++; // a stall fired: the timeout must have made it a cut
        }
        if (faulty.isCut() && !stall)
        {
            row.fired++;
        }
        // A stall that fired outlasts the timeout: it must have become a cut, named as a timeout.
        boolean oneSide = !stall || faulty.events().isEmpty() ||
            (first.failureReason() != null && first.failureReason().contains("link timeout"));
        switch (first.guestRunsOn())
        {
            case "source":
                row.onSource++;
                oneSide &= MigrationResult.FAILED.equals(first.status()) && destinationEmpty(g);
                break;
            case "destination":
                row.onDestination++;
                break;
            default:
                row.bothOrNeither++;
                oneSide = false;
        }
        MigrationResult last = first;
        if (MigrationResult.FAILED.equals(first.status()) && "source".equals(first.guestRunsOn()))
        {
            final FaultyLink retryLink = new FaultyLink(MigrationLink.open(link, 256L << 20, 0), FaultPlan.NONE);
            try (retryLink)
            {
                last = g.migrate(retryLink, options());
            }
            total = retryLink.forwardBytes();
        }
        else if (faulty.events().isEmpty())
        {
            total = faulty.forwardBytes();
        }
        final boolean completed = MigrationResult.COMPLETED.equals(last.status()) &&
            "destination".equals(last.guestRunsOn());
        final long lost = moveBack(g, last);
        row.pagesLost += lost;
        final int hung = hungThreads(before);
        row.hung += hung;
        if (oneSide && completed && lost == 0 && hung == 0)
        {
            row.survived++;
        }
    }

    /**
     * One post-copy migration with recovery on, its link cut at the first page request read past {@code
     * minForwardBytes} forward bytes; it must end completed on the destination, every page identical, with at
     * most one pause (none if the cut fired after everything had arrived).
     */
    private static void postcopyCut(final FaultMigrationTest.Guest g, final String link, final long minForwardBytes,
        final Row row) throws Exception
    {
        final Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        row.cuts++;
        final MigrationOptions options = MigrationOptions.defaults().withMode(MigrationMode.POSTCOPY)
            .withBandwidth(256L << 20).withRecover(true).withRecoverTimeoutMs(10_000).withMirrorForVerify(true);
        final CutInPostcopy cut = new CutInPostcopy(MigrationLink.open(link, 256L << 20, 0), minForwardBytes);
        final MigrationResult r;
        try (cut)
        {
            r = new Migration(options, g.src, g.log, g.dst, g.workload, cut)
                .recoverWith(deadline -> MigrationLink.open(link, 256L << 20, 0)).run();
        }
        if (cut.isCut())
        {
            row.fired++;
        }
        // A cut that fires after the last page and COMPLETE arrived needs no pause: at most one, then.
        final boolean completed = MigrationResult.COMPLETED.equals(r.status()) && "destination".equals(r.guestRunsOn())
            && r.recoveries() <= (cut.isCut() ? 1 : 0);
        if ("destination".equals(r.guestRunsOn()))
        {
            row.onDestination++;
        }
        else if ("source".equals(r.guestRunsOn()))
        {
            row.onSource++;
        }
        else
        {
            row.bothOrNeither++;
        }
        if (!completed)
        {
            System.out.println("post-copy cut not recovered: " + r.summary());
        }
        final long lost = moveBack(g, r);
        row.pagesLost += lost;
        final int hung = hungThreads(before);
        row.hung += hung;
        if (completed && lost == 0 && hung == 0)
        {
            row.survived++;
        }
    }

    /**
     * Pauses the guest on the destination, compares every page with the source (the destination's writes are
     * mirrored there), then makes the source the guest's home again, with the destination empty.
     *
     * @return pages that differ.
     */
    private static long moveBack(final FaultMigrationTest.Guest g, final MigrationResult r)
    {
        g.workload.pause();
        final byte[] a = new byte[4096];
        final byte[] b = new byte[4096];
        long differ = 0;
        for (long p = 0; p < FaultMigrationTest.PAGES; p++)
        {
            g.src.readPage(p, a, 0);
            g.dst.readPage(p, b, 0);
            if (!java.util.Arrays.equals(a, b))
            {
                differ++;
            }
        }
        g.dst.fill(0, g.dst.size(), (byte)0);
        g.workload.resume(VcpuTarget.of(g.src));
        return differ;
    }

    private static boolean destinationEmpty(final FaultMigrationTest.Guest g)
    {
        final byte[] page = new byte[4096];
        for (long p = 0; p < FaultMigrationTest.PAGES; p++)
        {
            g.dst.readPage(p, page, 0);
            for (final byte x : page)
            {
                if (x != 0)
                {
                    return false;
                }
            }
        }
        return true;
    }

    /** @return threads started since {@code before} that are still alive {@link #RUN_DEADLINE_MS} later. */
    private static int hungThreads(final Set<Thread> before) throws InterruptedException
    {
        final long deadline = System.nanoTime() + RUN_DEADLINE_MS * 1_000_000L;
        final List<Thread> alive = new ArrayList<>();
        while (true)
        {
            alive.clear();
            for (final Thread t : Thread.getAllStackTraces().keySet())
            {
                if (!before.contains(t) && t.isAlive() && !t.getName().startsWith("vcpu-"))
                {
                    alive.add(t);
                }
            }
            if (alive.isEmpty() || System.nanoTime() > deadline)
            {
                break;
            }
            Thread.sleep(1);
        }
        for (final Thread t : alive)
        {
            System.out.println("hung: " + t.getName() + " " + java.util.Arrays.toString(t.getStackTrace()));
        }
        return alive.size();
    }

    private static String format(final Map<String, Row> rows)
    {
        final StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
            "fault campaign: seed %d, %d cuts, 4 MiB guest, 1 writer%n", SEED, CUTS));
        sb.append(String.format(Locale.ROOT, "%-24s %6s %6s %9s %8s %8s %13s %10s %5s%n", "trigger", "cuts",
            "fired", "survived", "source", "dest", "both/neither", "pages lost", "hung"));
        for (final Map.Entry<String, Row> e : rows.entrySet())
        {
            final Row r = e.getValue();
            sb.append(String.format(Locale.ROOT, "%-24s %6d %6d %9d %8d %8d %13d %10d %5d%n", e.getKey(), r.cuts,
                r.fired, r.survived, r.onSource, r.onDestination, r.bothOrNeither, r.pagesLost, r.hung));
        }
        return sb.toString();
    }
}
