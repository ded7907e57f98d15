package io.livemig.migration;

import io.livemig.migration.fault.FaultPlan;
import io.livemig.migration.fault.FaultyLink;
import io.livemig.migration.link.DeadlineLink;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.link.TcpLink;
import io.livemig.migration.options.GiveUp;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.result.MigrationResult;
import io.livemig.migration.tls.TestCredentials;
import io.livemig.migration.tls.TlsAuthz;
import io.livemig.migration.tls.TlsConfig;
import io.livemig.migration.wire.MigrationEnvelopeDescriptor;
import io.livemig.workload.VcpuTarget;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fault campaign of issue 12: cuts at random points of pre-copy and the switch-over (byte offsets in the
 * part of the stream every migration of this guest sends, the tail after stop-and-copy is announced, which holds
 * the last round, the device state and COMPLETE, and the phase announcements), each followed by a retry from the
 * same source guest, its writer still running. Every cut is placed where the stream certainly passes, so every
 * cut fires: a cut that did not fire fails the campaign. It counts: cuts survived (the cut fired, exactly one
 * side runs the guest afterwards and the guests then verify byte-identical), pages lost (pages that differ after
 * the retry: must be 0), runs where both or neither side ran the guest (must be 0), and hung threads (threads a
 * run started that are still alive a deadline after it: must be 0). One cut in twenty is a stall longer than the
 * link timeout instead, which must turn into a cut ({@link DeadlineLink}). Three cuts in thirteen hit post-copy
 * instead ({@code --recover}): the push waits for the first page request (which proves the destination runs the
 * guest), the link is cut at a random forward byte after it ({@link CutInPostcopy}), and the cut must be
 * recovered from over a new link, the guest then verifying on the destination. Of those three, one runs without
 * the preempt connection, one with it and its main connection cut, and one with it and that connection alone cut
 * once the source has read a page request ({@code cut-preempt}): both connections are rebuilt. One link in ten is TCP loopback,
 * half of those with every connection inside TLS 1.3, so that a retry's or a recovery's new link authenticates
 * again.
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
            final Future<Map<String, Row>> campaign = runner.submit(this::campaign);
            final Map<String, Row> rows = campaign.get(60_000L + CUTS * 2_000L, TimeUnit.MILLISECONDS);
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
            // The table goes with every failure, so that a CI log names the row.
            final String table = format(rows);
            System.out.println(table);
            assertEquals(CUTS, all.cuts, table);
            assertEquals(0, all.pagesLost, () -> "pages lost\n" + table);
            assertEquals(0, all.bothOrNeither, () -> "runs where both or neither side ran the guest\n" + table);
            assertEquals(0, all.hung, () -> "hung threads\n" + table);
            assertEquals(all.cuts, all.fired,
                () -> "every cut fires (each is placed where the stream certainly passes)\n" + table);
            assertEquals(all.cuts, all.survived, () -> "cuts not survived\n" + table);
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
            "phase: stop-and-copy", POSTCOPY_ROW, PREEMPT_MAIN_ROW, PREEMPT_ROW, STALL_ROW))
        {
            rows.put(k, new Row());
        }
        final SplittableRandom random = new SplittableRandom(SEED);
        try (FaultMigrationTest.Guest g = new FaultMigrationTest.Guest(true))
        {
            final long whole = streamBytes(g);
            assertTrue(whole >= MIN_STREAM_BYTES, () -> "a whole migration sent " + whole + " bytes, below the bound " +
                MIN_STREAM_BYTES + " that places the byte cuts");
            for (int i = 0; i < CUTS; i++)
            {
                final String link = random.nextInt(10) == 0 ? (random.nextBoolean() ? "tcp" : "tls") : "memory";
                final int kind = random.nextInt(20) == 0 ? -1 : random.nextInt(13);
                if (kind < 0)
                {
                    final FaultPlan.Trigger at = FaultPlan.Trigger.afterBytes(random.nextLong(MIN_STREAM_BYTES + 1));
                    final FaultyLink stall = new FaultyLink(open(link),
                        new FaultPlan(List.of(new FaultPlan.Rule(FaultPlan.Action.STALL, at, STALL_NS, 0))));
                    cut(g, link, new DeadlineLink(stall, STALL_TIMEOUT_MS), () -> !stall.events().isEmpty(), true,
                        rows.get(STALL_ROW));
                }
                else if (kind < 4)
                {
                    cutAt(g, link, FaultPlan.Trigger.afterBytes(random.nextLong(MIN_STREAM_BYTES + 1)), rows.get("bytes: anywhere"));
                }
                else if (kind < 7)
                {
                    // From the announcement of stop-and-copy: the last round's pages, DEVICE and COMPLETE, at least
                    // TAIL_BYTES, to just after COMPLETE.
                    final CutAfterPhase tail = new CutAfterPhase(open(link), "stop-and-copy",
                        random.nextLong(TAIL_BYTES + 1));
                    cut(g, link, tail, tail::isCut, false, rows.get("bytes: switch-over tail"));
                }
                else if (kind == 7)
                {
                    cutAt(g, link, FaultPlan.Trigger.atPhase("setup", -1), rows.get("phase: setup"));
                }
                else if (kind == 8)
                {
                    cutAt(g, link, FaultPlan.Trigger.atPhase("precopy", random.nextInt(2)), rows.get("phase: precopy round"));
                }
                else if (kind == 9)
                {
                    cutAt(g, link, FaultPlan.Trigger.atPhase("stop-and-copy", -1), rows.get("phase: stop-and-copy"));
                }
                else if (kind == 10)
                {
                    postcopyCut(g, link, random.nextLong(MIN_STREAM_BYTES + 1), false, rows.get(POSTCOPY_ROW));
                }
                else if (kind == 11)
                {
                    postcopyCut(g, link, random.nextLong(MIN_STREAM_BYTES + 1), true, rows.get(PREEMPT_MAIN_ROW));
                }
                else
                {
                    // The preempt connection alone, cut once the source reads post-copy's first request: the
                    // push is held until a request comes, which the writer's first touch of a missing page makes.
                    final FaultyLink faulty = new FaultyLink(open(link), new FaultPlan(List.of(new FaultPlan.Rule(
                        FaultPlan.Action.CUT_PREEMPT, FaultPlan.Trigger.atPhase("postcopy", -1), 0, 0))));
                    postcopyCut(g, link, new HoldPostcopyPush(faulty), () -> !faulty.events().isEmpty(), true,
                        rows.get(PREEMPT_ROW));
                }
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
    /** The same with the preempt connection beside the main one: the main connection is cut, both are rebuilt. */
    private static final String PREEMPT_MAIN_ROW = "post-copy+preempt, main cut";
    /** Post-copy with the preempt connection, that connection alone cut, both rebuilt. */
    private static final String PREEMPT_ROW = "post-copy+preempt, preempt cut";

    /**
     * Pages of the guest that hold seeded data (every third page, 2000 bytes of it): no write makes them zero
     * again, and with LZ4 and XBZRLE off each goes in the first round as a NORMAL page of 4096 bytes and more.
     */
    private static final long FILLED_PAGES = (FaultMigrationTest.PAGES + 2) / 3;
    /** DEVICE: its type byte, be32 length, the state, be32 CRC-32C. */
    private static final long DEVICE_SECTION_BYTES = 1 + 4 + MigrationOptions.defaults().deviceStateBytes() + 4;
    /**
     * Forward bytes every migration of this guest sends, pre-copy or post-copy, whatever its writer did: the
     * header, every filled page once, the device state, COMPLETE. A byte cut at or below it fires for certain.
     */
    static final long MIN_STREAM_BYTES = MigrationEnvelopeDescriptor.HEADER_LENGTH + FILLED_PAGES * 4096 +
        DEVICE_SECTION_BYTES + 1;
    /** Forward bytes every pre-copy sends after it announces stop-and-copy: at least DEVICE and COMPLETE. */
    private static final long TAIL_BYTES = DEVICE_SECTION_BYTES + 1;

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

    private static TlsConfig[] tls;

    /**
     * @return a link of {@code kind} at 256 MiB/s: {@code memory}, {@code tcp}, or {@code tls} (TCP loopback with
     *         every connection inside TLS 1.3: a link opened for a retry or a recovery authenticates again).
     */
    static synchronized MigrationLink open(final String kind) throws IOException
    {
        if (!kind.equals("tls"))
        {
            return MigrationLink.open(kind, 256L << 20, 0);
        }
        if (tls == null)
        {
            final Path creds = TestCredentials.good(Files.createTempDirectory("livemig-campaign-tls"));
            tls = new TlsConfig[] {TlsMigrationTest.destinationTls(creds, TlsAuthz.ANY_SIGNED),
                TlsMigrationTest.sourceTls(creds, null)};
        }
        return new TcpLink(256L << 20, 1, tls[0], tls[1]);
    }

    /**
     * One cut by a {@link FaultyLink} rule at {@code trigger}; a pre-copy round trigger meets a guest made dirty
     * in full at round 0 ({@link DirtyWholeGuest}), so that round 1 comes for certain.
     */
    private static void cutAt(final FaultMigrationTest.Guest g, final String link, final FaultPlan.Trigger trigger,
        final Row row) throws Exception
    {
        final FaultyLink faulty = new FaultyLink(open(link), FaultMigrationTest.rule(trigger));
        cut(g, link, "precopy".equals(trigger.phase()) ? DirtyWholeGuest.wrap(faulty, g.src, 1) : faulty,
            faulty::isCut, false, row);
    }

    /**
     * One migration over {@code faulty}, a link of {@code kind} which must cut it ({@code fired}), then (if it
     * failed) a retry over a whole link of that kind; records the outcome in {@code row}. A stall must have
     * become a cut, named as a link timeout.
     */
    private static void cut(final FaultMigrationTest.Guest g, final String kind, final MigrationLink faulty,
        final BooleanSupplier fired, final boolean stall, final Row row) throws Exception
    {
        final Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        row.cuts++;
        final MigrationResult first;
        try (faulty)
        {
            first = g.migrate(faulty, options());
        }
        final boolean didFire = fired.getAsBoolean();
        if (didFire)
        {
            row.fired++;
        }
        else
        {
            System.out.println("cut did not fire (" + kind + "): " + first.summary());
        }
        boolean oneSide = !stall || (first.failureReason() != null && first.failureReason().contains("link timeout"));
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
            try (FaultyLink retryLink = new FaultyLink(open(kind), FaultPlan.NONE))
            {
                last = g.migrate(retryLink, options());
            }
        }
        final boolean completed = MigrationResult.COMPLETED.equals(last.status()) &&
            "destination".equals(last.guestRunsOn());
        final long lost = moveBack(g, last);
        row.pagesLost += lost;
        final int hung = hungThreads(before);
        row.hung += hung;
        if (didFire && oneSide && completed && lost == 0 && hung == 0)
        {
            row.survived++;
        }
    }

    /**
     * One post-copy migration with recovery on, its link cut at forward byte {@code cutAt} (or, before the push,
     * at the first page request: {@link CutInPostcopy}); it must end completed on the destination, every page
     * identical, with at most one pause (none if the cut fired after everything had arrived).
     */
    private static void postcopyCut(final FaultMigrationTest.Guest g, final String link, final long cutAt,
        final boolean preempt, final Row row) throws Exception
    {
        final CutInPostcopy cut = new CutInPostcopy(open(link), cutAt);
        postcopyCut(g, link, cut, cut::isCut, preempt, row);
    }

    /**
     * One post-copy migration with recovery on (and the preempt connection if {@code preempt}) over {@code cut},
     * whose cut {@code fired} says fired; the outcome is judged as {@link #postcopyCut(FaultMigrationTest.Guest,
     * String, long, boolean, Row)} says.
     */
    private static void postcopyCut(final FaultMigrationTest.Guest g, final String link, final MigrationLink cut,
        final java.util.function.BooleanSupplier fired, final boolean preempt, final Row row) throws Exception
    {
        final Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());
        row.cuts++;
        final MigrationOptions options = MigrationOptions.defaults().withMode(MigrationMode.POSTCOPY)
            .withBandwidth(256L << 20).withRecover(true).withRecoverTimeoutMs(10_000).withMirrorForVerify(true)
            .withPostcopyPreempt(preempt);
        final MigrationResult r;
        try (cut)
        {
            r = new Migration(options, g.src, g.log, g.dst, g.workload, cut)
                .recoverWith(deadline -> open(link)).run();
        }
        final boolean isCut = fired.getAsBoolean();
        if (isCut)
        {
            row.fired++;
        }
        else
        {
            System.out.println("post-copy cut did not fire (" + link + ", preempt " + preempt + "): " + r.summary());
        }
        // A cut that fires after the last page and COMPLETE arrived needs no pause: at most one, then.
        final boolean completed = MigrationResult.COMPLETED.equals(r.status()) && "destination".equals(r.guestRunsOn())
            && r.recoveries() <= (isCut ? 1 : 0);
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
        if (isCut && completed && lost == 0 && hung == 0)
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
        sb.append(String.format(Locale.ROOT, "%-30s %6s %6s %9s %8s %8s %13s %10s %5s%n", "trigger", "cuts",
            "fired", "survived", "source", "dest", "both/neither", "pages lost", "hung"));
        for (final Map.Entry<String, Row> e : rows.entrySet())
        {
            final Row r = e.getValue();
            sb.append(String.format(Locale.ROOT, "%-30s %6d %6d %9d %8d %8d %13d %10d %5d%n", e.getKey(), r.cuts,
                r.fired, r.survived, r.onSource, r.onDestination, r.bothOrNeither, r.pagesLost, r.hung));
        }
        return sb.toString();
    }
}
