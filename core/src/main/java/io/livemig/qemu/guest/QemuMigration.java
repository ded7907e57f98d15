package io.livemig.qemu.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One migration of a running {@link QemuGuest} to a file, driven over QMP as a user would: optionally has the
 * guest stop writing, optionally measures its dirty rate ({@code calc-dirty-rate}), sets the capabilities and
 * parameters (xbzrle, {@code xbzrle-cache-size}, {@code max-bandwidth}, {@code downtime-limit}), migrates to a
 * {@link StreamReceiver} that writes the stream to a file and dates its bytes, polls {@code query-migrate} until
 * the migration completes (keeping every answer), then dumps the source's memory with {@code pmemsave} (the
 * guest is paused after a completed migration, so the dump is what the destination should hold).
 *
 * <p>Bounded: every wait has a deadline ({@link Settings#timeoutMs}); on failure the caller closes the guest.
 * Not thread-safe.
 */
public final class QemuMigration
{
    /** Between two {@code query-migrate} polls. */
    static final long POLL_MS = 20;

    /**
     * How to migrate.
     *
     * @param xbzrle           the xbzrle capability.
     * @param xbzrleCacheBytes {@code xbzrle-cache-size} (a power of two).
     * @param maxBandwidth     {@code max-bandwidth}, bytes per second.
     * @param downtimeLimitMs  {@code downtime-limit}.
     * @param stopFirst        whether the guest stops writing before the migration starts.
     * @param dirtyRateMs      if positive, {@code calc-dirty-rate} over that many milliseconds (rounded up to whole
     *                         seconds) before the migration.
     * @param convergeAfterMs  if positive, when the migration is still active after so many milliseconds,
     *                         {@code downtime-limit} is raised to {@value #CONVERGE_DOWNTIME_MS} ms so that it
     *                         completes at its next iteration (a guest that dirties faster than the link sends
     *                         never converges otherwise).
     * @param timeoutMs        the migration's deadline.
     */
    public record Settings(boolean xbzrle, long xbzrleCacheBytes, long maxBandwidth, long downtimeLimitMs,
                           boolean stopFirst, long dirtyRateMs, long convergeAfterMs, long timeoutMs)
    {
    }

    /** The downtime limit that makes a migration complete at its next iteration. */
    public static final long CONVERGE_DOWNTIME_MS = 60_000;

    /**
     * What a migration gave.
     *
     * @param qemuVersion the QEMU that migrated, e.g. {@code 7.2.22}.
     * @param status      the last {@code query-migrate} answer.
     * @param polls       every {@code query-migrate} answer during the migration, each with {@code "at-ms"}
     *                    (milliseconds since the migrate command) added.
     * @param dirtyRate   {@code query-dirty-rate}'s answer, or null if not measured.
     * @param arrivals    the stream's reads: offset and ms since the migrate command.
     * @param streamBytes the stream's length.
     */
    public record Outcome(String qemuVersion, JsonNode status, List<JsonNode> polls, JsonNode dirtyRate,
                          List<long[]> arrivals, long streamBytes)
    {
        /** @return whether the migration completed. */
        public boolean completed()
        {
            return "completed".equals(status.path("status").asText());
        }
    }

    private QemuMigration()
    {
    }

    /**
     * Migrates {@code guest} to {@code stream} and dumps its memory to {@code dump}.
     *
     * @throws IOException if a QMP command fails, the migration fails or overruns its deadline.
     */
    public static Outcome run(final QemuGuest guest, final Settings settings, final Path stream, final Path dump)
        throws IOException
    {
        final QmpClient qmp = guest.qmp();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.timeoutMs());
        if (settings.stopFirst())
        {
            guest.stopWriting();
        }
        final JsonNode dirtyRate = settings.dirtyRateMs() > 0 ? dirtyRate(qmp, settings.dirtyRateMs(), deadline) : null;
        final ObjectNode capabilities = QmpClient.arguments();
        final ArrayNode list = capabilities.putArray("capabilities");
        list.addObject().put("capability", "xbzrle").put("state", settings.xbzrle());
        qmp.execute("migrate-set-capabilities", capabilities);
        final ObjectNode parameters = QmpClient.arguments().put("max-bandwidth", settings.maxBandwidth())
            .put("downtime-limit", settings.downtimeLimitMs());
        if (settings.xbzrle())
        {
            parameters.put("xbzrle-cache-size", settings.xbzrleCacheBytes());
        }
        qmp.execute("migrate-set-parameters", parameters);
        final List<JsonNode> polls = new ArrayList<>();
        final JsonNode status;
        final long bytes;
        final List<long[]> arrivals;
        try (StreamReceiver receiver = StreamReceiver.start(guest.sockets().resolve("migrate.sock"), stream))
        {
            qmp.execute("migrate", QmpClient.arguments().put("uri", receiver.uri()));
            status = poll(qmp, receiver.startNanos(), polls, settings.convergeAfterMs(), deadline);
            if (!"completed".equals(status.path("status").asText()))
            {
                throw new IOException("QEMU's migration ended " + status.path("status").asText() +
                    (status.has("error-desc") ? ": " + status.path("error-desc").asText() : ""));
            }
            bytes = receiver.await(deadline);
            arrivals = receiver.arrivals();
        }
        qmp.execute("pmemsave", QmpClient.arguments().put("val", 0).put("size", guest.memoryBytes())
            .put("filename", dump.toAbsolutePath().toString()));
        return new Outcome(qmp.version(), status, polls, dirtyRate, arrivals, bytes);
    }

    /**
     * Waits until a destination started with {@link QemuGuest#incoming} has loaded its stream, then dumps its
     * memory with {@code pmemsave} (it stays paused).
     *
     * @throws IOException if the load fails (QEMU refused the stream) or does not end before {@code timeoutMs}.
     */
    public static void load(final QemuGuest destination, final Path dump, final long timeoutMs) throws IOException
    {
        final QmpClient qmp = destination.qmp();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true)
        {
            final JsonNode answer = qmp.execute("query-migrate", null);
            final String status = answer.path("status").asText();
            if (status.equals("completed"))
            {
                break;
            }
            if (status.equals("failed") || status.equals("cancelled") || System.nanoTime() - deadline > 0)
            {
                throw new IOException("QEMU's destination did not load the stream: status " +
                    (status.isEmpty() ? "none" : status) + (answer.has("error-desc") ? ": " +
                    answer.path("error-desc").asText() : "") + "; QEMU said: " + destination.qemuLog());
            }
            Commands.sleep(POLL_MS);
        }
        qmp.execute("pmemsave", QmpClient.arguments().put("val", 0).put("size", destination.memoryBytes())
            .put("filename", dump.toAbsolutePath().toString()));
    }

    private static JsonNode poll(final QmpClient qmp, final long startNanos, final List<JsonNode> polls,
        final long convergeAfterMs, final long deadline) throws IOException
    {
        boolean forced = false;
        while (true)
        {
            final ObjectNode answer = (ObjectNode)qmp.execute("query-migrate", null);
            answer.put("at-ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            polls.add(answer);
            final String status = answer.path("status").asText();
            if (status.equals("completed") || status.equals("failed") || status.equals("cancelled"))
            {
                return answer;
            }
            if (!forced && convergeAfterMs > 0 && answer.path("at-ms").asLong() >= convergeAfterMs)
            {
                qmp.execute("migrate-set-parameters", QmpClient.arguments().put("downtime-limit", CONVERGE_DOWNTIME_MS));
                answer.put("converge", "downtime-limit raised to " + CONVERGE_DOWNTIME_MS + " ms");
                forced = true;
            }
            if (System.nanoTime() - deadline > 0)
            {
                qmp.execute("migrate_cancel", null);
                throw new IOException("the migration did not complete in time (status " + status + ", " +
                    answer.at("/ram/dirty-sync-count").asLong() + " bitmap syncs, " +
                    answer.at("/ram/remaining").asLong() + " bytes remaining): the guest dirties memory faster " +
                    "than max-bandwidth can send it within downtime-limit");
            }
            Commands.sleep(POLL_MS);
        }
    }

    private static JsonNode dirtyRate(final QmpClient qmp, final long ms, final long deadline) throws IOException
    {
        qmp.execute("calc-dirty-rate", QmpClient.arguments().put("calc-time", Math.max(1, (ms + 999) / 1000)));
        while (true)
        {
            Commands.sleep(100);
            final JsonNode rate = qmp.execute("query-dirty-rate", null);
            if ("measured".equals(rate.path("status").asText()))
            {
                return rate;
            }
            if (System.nanoTime() - deadline > 0)
            {
                throw new IOException("calc-dirty-rate did not finish in time: " + rate);
            }
        }
    }
}
