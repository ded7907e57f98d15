package io.livemig.cli.migrate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The link cut for real: {@code scripts/two-hosts link down} takes the veth away under a running migration
 * between a {@code --listen} destination and a {@code --to} source in two network namespaces. Nothing sends a
 * reset: the source's route is gone and the destination's peer is silent, so both sides hold a half-open TCP
 * connection that only {@code --link-timeout} reveals.
 * <ul>
 *   <li>Pre-copy: both processes exit 1 within the link timeout plus a margin, {@code failed} with the timeout
 *   as the reason, the guest on the source, the destination's partial guest discarded; after {@code link up}
 *   a new migration over the same namespaces verifies.</li>
 *   <li>Post-copy with {@code --recover}: the link stays down longer than the link timeout, so both sides pause;
 *   after {@code link up} the source reconnects, post-copy completes on both sides, the digests agree and
 *   both results count a pause.</li>
 * </ul>
 * Without root or iproute2 the tests are skipped with the reason; the namespaces (random name and subnet) are
 * removed in any case. Every wait is a poll with a deadline; a wait for "migration in progress" falls back to
 * cutting anyway after a bound, and the assertions then say what happened. Prints cut-to-detection times.
 */
class TwoHostsLinkCutTest
{
    private static final long DEADLINE_MS = 50_000;
    private static final long LINK_TIMEOUT_MS = 2_000;
    /** How long past the link timeout a side may take to notice and exit on a loaded 2-core machine. */
    private static final long EXIT_MARGIN_MS = 10_000;
    /** How long to wait for the source's progress line before cutting anyway. */
    private static final long IN_PROGRESS_FALLBACK_MS = 15_000;
    private static final String RATE = "50mbit";
    private static final Pattern PRECOPY_RUNNING = Pattern.compile("(?m)^precopy\\s+round");
    private static final Pattern POSTCOPY_RUNNING = Pattern.compile("(?m)^postcopy\\s+round");
    private static final Pattern POSTCOPY_PAUSED = Pattern.compile("(?m)^postcopy-paused");

    @TempDir
    Path dir;

    @Test
    void aPrecopyLinkTakenDownFailsBothSidesAtTheLinkTimeoutAndAMigrationAfterLinkUpVerifies() throws Exception
    {
        try (TwoHosts hosts = TwoHosts.upOrSkip(dir, RATE))
        {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
            final Pair cut = Pair.start(hosts, dir.resolve("cut"), deadline, List.of(),
                // 32 MiB dirtied far faster than 50 Mbit/s moves it: pre-copy cannot end before the cut
                "--mode", "precopy", "--memory", "32m", "--writers", "2", "--dirty-rate", "20000",
                "--max-time", "30s");
            try
            {
                final boolean running = cut.awaitSourceLine(PRECOPY_RUNNING, deadline);
                assertTrue(cut.source.isAlive(), () -> "the migration ended before the cut: " + cut.sourceErr());
                final long cutNs = System.nanoTime();
                hosts.link(false);
                final long[] exitMs = cut.awaitExits(cutNs, deadline);
                System.out.printf("two hosts link cut, pre-copy (%s, link timeout %d ms, progress %s): cut to exit: " +
                    "source %d ms, destination %d ms%n", RATE, LINK_TIMEOUT_MS, running ? "seen" : "not seen, cut " +
                    "after the fallback", exitMs[0], exitMs[1]);
                assertEquals(1, cut.source.exitValue(), cut::sourceErr);
                assertEquals(1, cut.destination.exitValue(), cut::destinationErr);
                for (final long ms : exitMs)
                {
                    assertTrue(ms < LINK_TIMEOUT_MS + EXIT_MARGIN_MS, "a half-open connection ends at the link " +
                        "timeout, not after " + ms + " ms");
                }
                final JsonNode s = cut.sourceResult();
                final JsonNode d = cut.destinationResult();
                assertEquals("failed", s.get("status").asText(), s::toString);
                assertEquals("failed", d.get("status").asText(), d::toString);
                assertTrue(s.get("failure").get("phase").asText().startsWith("precopy"), s::toString);
                assertEquals("precopy", d.get("failure").get("phase").asText(), d::toString);
                // no reset arrives: only the deadline reveals the dead link, on both sides
                final String timeout = "for " + LINK_TIMEOUT_MS + " ms";
                assertTrue(s.get("failure").get("reason").asText().contains(timeout), s::toString);
                assertTrue(d.get("failure").get("reason").asText().contains(timeout), d::toString);
                assertTrue(d.get("failure").get("reason").asText().contains("partial guest discarded"), d::toString);
                assertEquals("source", s.get("guestRunsOn").asText(), s::toString);
                assertEquals("source", d.get("guestRunsOn").asText(), d::toString);
            }
            finally
            {
                cut.kill();
            }

            hosts.link(true);
            final Pair again = Pair.start(hosts, dir.resolve("again"), deadline, List.of(), "--mode", "precopy",
                "--memory", "8m", "--writers", "1", "--dirty-rate", "500", "--downtime", "300ms", "--max-time", "20s",
                "--on-give-up", "stop", "--verify");
            try
            {
                again.awaitExits(System.nanoTime(), deadline);
                assertEquals(0, again.source.exitValue(), again::sourceErr);
                assertEquals(0, again.destination.exitValue(), again::destinationErr);
                final JsonNode s = again.sourceResult();
                final JsonNode d = again.destinationResult();
                assertEquals("completed", s.get("status").asText(), s::toString);
                assertTrue(s.get("verified").asBoolean() && d.get("verified").asBoolean(), s + "\n" + d);
                assertEquals(s.get("digest").get("source"), d.get("digest").get("destination"));
            }
            finally
            {
                again.kill();
            }
        }
    }

    @Test
    void aPostcopyLinkTakenDownPausesBothSidesAndAfterLinkUpTheSourceReconnectsAndBothVerify() throws Exception
    {
        try (TwoHosts hosts = TwoHosts.upOrSkip(dir, RATE))
        {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DEADLINE_MS);
            // 48 MiB at 50 Mbit/s: about 8 s of post-copy, the cut falls early in it
            final Pair p = Pair.start(hosts, dir.resolve("postcopy"), deadline, List.of("--recover-timeout", "20s"),
                "--mode", "postcopy", "--memory", "48m", "--writers", "2", "--recover", "--recover-timeout", "20s",
                "--verify");
            try
            {
                final boolean running = p.awaitSourceLine(POSTCOPY_RUNNING, deadline);
                assertTrue(p.source.isAlive(), () -> "the migration ended before the cut: " + p.sourceErr());
                final long cutNs = System.nanoTime();
                hosts.link(false);
                // down until the source has paused, and at least twice the link timeout so the destination has too
                final boolean paused = p.awaitSourceLine(POSTCOPY_PAUSED, deadline);
                final long pausedSeenMs = (System.nanoTime() - cutNs) / 1_000_000;
                final long upAt = cutNs + TimeUnit.MILLISECONDS.toNanos(2 * LINK_TIMEOUT_MS + 500);
                while (System.nanoTime() < upAt)
                {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                final long downMs = (System.nanoTime() - cutNs) / 1_000_000;
                hosts.link(true);
                final long[] exitMs = p.awaitExits(cutNs, deadline);
                assertEquals(0, p.source.exitValue(), p::sourceErr);
                assertEquals(0, p.destination.exitValue(), p::destinationErr);
                final JsonNode s = p.sourceResult();
                final JsonNode d = p.destinationResult();
                System.out.printf("two hosts link cut, post-copy (%s, link timeout %d ms, progress %s): source " +
                    "paused %s, link down %d ms, paused: source %.0f ms, destination %.0f ms; " +
                    "cut to exit: source %d ms, destination %d ms, total %.0f ms, resent %d pages%n", RATE,
                    LINK_TIMEOUT_MS, running ? "seen" : "not seen, cut after the fallback",
                    paused ? "<= " + pausedSeenMs + " ms after the cut" : "not seen", downMs,
                    s.path("recovery").path("pausedMs").asDouble(), d.path("recovery").path("pausedMs").asDouble(),
                    exitMs[0], exitMs[1], s.get("totalMs").asDouble(), s.path("recovery").path("resentPages").asLong());
                assertTrue(paused, () -> "the source never printed postcopy-paused: " + p.sourceErr());
                for (final JsonNode r : List.of(s, d))
                {
                    assertEquals("completed", r.get("status").asText(), r::toString);
                    assertEquals("destination", r.get("guestRunsOn").asText(), r::toString);
                    assertTrue(r.get("verified").asBoolean(), r::toString);
                    assertFalse(r.get("recovery").isNull(), r::toString);
                    assertTrue(r.get("recovery").get("pauses").asInt() >= 1, r::toString);
                    assertTrue(r.get("recovery").get("pausedMs").asDouble() > 0, r::toString);
                }
                assertEquals(s.get("digest").get("source"), d.get("digest").get("destination"));
            }
            finally
            {
                p.kill();
            }
        }
    }

    /** A destination in {@code dst} and a source in {@code src}, their stderr and results under one prefix. */
    private static final class Pair
    {
        final Process destination;
        final Process source;
        private final Path prefix;
        private final long startNs = System.nanoTime();

        private Pair(final Path prefix, final Process destination, final Process source)
        {
            this.prefix = prefix;
            this.destination = destination;
            this.source = source;
        }

        /** Starts the destination, waits for its port, then the source with the link timeout and {@code args}. */
        static Pair start(final TwoHosts hosts, final Path prefix, final long deadlineNs,
            final List<String> destinationArgs, final String... sourceArgs) throws Exception
        {
            final String timeout = LINK_TIMEOUT_MS + "ms";
            final Path destErr = file(prefix, "destination.err");
            final List<String> dst = new ArrayList<>(List.of("--listen", hosts.destinationIp() + ":0", "--json",
                "--quiet", "--result", file(prefix, "destination.json").toString(), "--accept-timeout", "30s",
                "--link-timeout", timeout));
            dst.addAll(destinationArgs);
            final Process destination = MigrateProcesses.start(hosts.in("dst"), destErr, dst.toArray(String[]::new));
            Process source = null;
            try
            {
                final String port = MigrateProcesses.awaitPort(destination, destErr, deadlineNs);
                // no --quiet: the source's progress line on stderr says when the migration is under way
                final List<String> src = new ArrayList<>(List.of("--to", hosts.destinationIp() + ":" + port,
                    "--link-timeout", timeout, "--json", "--result", file(prefix, "source.json").toString()));
                src.addAll(List.of(sourceArgs));
                source = MigrateProcesses.start(hosts.in("src"), file(prefix, "source.err"),
                    src.toArray(String[]::new));
                return new Pair(prefix, destination, source);
            }
            catch (final Exception | Error ex)
            {
                MigrateProcesses.kill(source);
                MigrateProcesses.kill(destination);
                throw ex;
            }
        }

        private static Path file(final Path prefix, final String name)
        {
            return prefix.resolveSibling(prefix.getFileName() + "-" + name);
        }

        /**
         * Polls the source's stderr (progress lines end in {@code \r}) for {@code line}.
         * @return whether it appeared; false once the source ended or the fallback bound passed, so the caller
         *         goes on and its assertions report what happened.
         */
        boolean awaitSourceLine(final Pattern line, final long deadlineNs) throws InterruptedException
        {
            final long until = Math.min(deadlineNs, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(
                IN_PROGRESS_FALLBACK_MS));
            while (System.nanoTime() < until && source.isAlive())
            {
                if (line.matcher(sourceErr().replace('\r', '\n')).find())
                {
                    return true;
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
            return line.matcher(sourceErr().replace('\r', '\n')).find();
        }

        /** @return ms from {@code fromNs} to the source's and the destination's exit; fails at the deadline. */
        long[] awaitExits(final long fromNs, final long deadlineNs) throws Exception
        {
            final long[] exitMs = {-1, -1};
            final Process[] both = {source, destination};
            while (exitMs[0] < 0 || exitMs[1] < 0)
            {
                for (int i = 0; i < 2; i++)
                {
                    if (exitMs[i] < 0 && !both[i].isAlive())
                    {
                        exitMs[i] = (System.nanoTime() - fromNs) / 1_000_000;
                    }
                }
                if (System.nanoTime() > deadlineNs)
                {
                    MigrateProcesses.await(both[exitMs[0] < 0 ? 0 : 1], deadlineNs,
                        file(prefix, exitMs[0] < 0 ? "source.err" : "destination.err"));
                }
                TimeUnit.MILLISECONDS.sleep(10);
            }
            return exitMs;
        }

        String sourceErr()
        {
            return MigrateProcesses.read(file(prefix, "source.err"));
        }

        String destinationErr()
        {
            return MigrateProcesses.read(file(prefix, "destination.err"));
        }

        JsonNode sourceResult() throws Exception
        {
            return new ObjectMapper().readTree(file(prefix, "source.json").toFile());
        }

        JsonNode destinationResult() throws Exception
        {
            return new ObjectMapper().readTree(file(prefix, "destination.json").toFile());
        }

        void kill() throws InterruptedException
        {
            MigrateProcesses.kill(source);
            MigrateProcesses.kill(destination);
        }
    }
}
