package io.livemig.cli.migrate;

import io.livemig.cli.BadOption;
import io.livemig.cli.SizeParser;
import io.livemig.cli.TimeParser;
import io.livemig.migration.options.GiveUp;
import io.livemig.migration.options.MigrationMode;
import io.livemig.migration.options.MigrationOptions;
import io.livemig.migration.options.StopPolicy;
import picocli.CommandLine.Option;

import static io.livemig.cli.BadOption.check;

/**
 * {@code migrate}'s migration parameters, QEMU's parameters and capabilities in spirit: the mode, bandwidth
 * and downtime limit, when to give up, the post-copy settings, the codecs and the throttles. The source's
 * choice: a {@code --listen} destination learns them from the handshake. Filled by picocli, then read on the
 * command's thread; not thread-safe.
 */
public final class MigrationParameters
{
    @Option(names = "--mode", paramLabel = "MODE", defaultValue = "precopy",
        description = "precopy, postcopy or hybrid (default ${DEFAULT-VALUE})")
    String mode;

    @Option(names = "--bandwidth", paramLabel = "SIZE[/s]", defaultValue = "128m",
        description = "link bandwidth per second, 0 for unlimited (default ${DEFAULT-VALUE}, QEMU's)")
    String bandwidth;

    @Option(names = "--downtime", paramLabel = "TIME", defaultValue = "300ms", converter = TimeParser.MillisConverter.class,
        description = "downtime limit, e.g. 300ms or 1s (default ${DEFAULT-VALUE})")
    long downtimeMs;

    @Option(names = "--policy", paramLabel = "NAME", defaultValue = "wire",
        description = "stop decision: qemu or wire (default ${DEFAULT-VALUE})")
    String policy;

    @Option(names = "--max-rounds", paramLabel = "N", defaultValue = "100",
        description = "give up pre-copy after N rounds (default ${DEFAULT-VALUE})")
    int maxRounds;

    @Option(names = "--max-time", paramLabel = "TIME", defaultValue = "60s", converter = TimeParser.MillisConverter.class,
        description = "give up pre-copy after this long (default ${DEFAULT-VALUE})")
    long maxTimeMs;

    @Option(names = "--on-give-up", paramLabel = "ACTION", defaultValue = "cancel",
        description = "when pre-copy reaches --max-rounds or --max-time: cancel (the guest stays on the source, "
        + "status failed), stop (a forced stop-and-copy, downtime over the limit) or postcopy (default ${DEFAULT-VALUE})")
    String onGiveUp;

    @Option(names = "--postcopy-after", paramLabel = "N", defaultValue = "2",
        description = "hybrid: pre-copy rounds before switching to post-copy (default ${DEFAULT-VALUE})")
    int postcopyAfter;

    @Option(names = "--prepage", paramLabel = "PAGES", defaultValue = "8",
        description = "post-copy: pages sent around each fault (default ${DEFAULT-VALUE})")
    int prepage;

    @Option(names = "--device-state", paramLabel = "SIZE", defaultValue = "256k", converter = SizeParser.Converter.class,
        description = "device-state blob sent at switch-over (default ${DEFAULT-VALUE})")
    long deviceState;

    @Option(names = "--xbzrle", description = "send changed pages as XBZRLE deltas after the first pass")
    boolean xbzrle;

    @Option(names = "--xbzrle-cache", paramLabel = "SIZE", defaultValue = "64m", converter = SizeParser.Converter.class,
        description = "XBZRLE cache, a power of two (default ${DEFAULT-VALUE})")
    long xbzrleCache;

    @Option(names = "--lz4", description = "compress pages sent in full with LZ4")
    boolean lz4;

    @Option(names = "--auto-converge", description = "throttle the guest (20 %%, +10 %% per round, up to 99 %%) "
        + "after a period that dirtied over 50 %% of what the round sent, as QEMU does")
    boolean autoConverge;

    @Option(names = "--dirty-limit", paramLabel = "RATE", arity = "0..1", fallbackValue = "1m",
        description = "QEMU's dirty-limit: throttle each vCPU that dirties more than RATE per second (default 1m, "
        + "QEMU's), triggered as auto-converge is; needs --tracker ring, excludes --auto-converge")
    String dirtyLimit;

    @Option(names = "--dirty-limit-period", paramLabel = "TIME", defaultValue = "1000ms",
        converter = TimeParser.MillisConverter.class,
        description = "dirty-limit: the credit a quiet vCPU may spend at once, as time at its quota " +
            "(default ${DEFAULT-VALUE})")
    long dirtyLimitPeriodMs;

    /** @return {@code --mode}, parsed. */
    MigrationMode mode() throws BadOption
    {
        try
        {
            return MigrationMode.parse(mode);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadOption("--mode", "must be precopy, postcopy or hybrid: " + mode);
        }
    }

    /**
     * @param pageSize the guest's page size, checked.
     * @param tracker  the source's {@code --tracker} (dirty-limit reads the ring's).
     * @return the options these parameters give, each checked.
     */
    MigrationOptions options(final long pageSize, final String tracker) throws BadOption
    {
        final MigrationMode m = mode();
        final StopPolicy p;
        try
        {
            p = StopPolicy.parse(policy);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadOption("--policy", "must be qemu or wire: " + policy);
        }
        check(xbzrleCache >= pageSize && Long.bitCount(xbzrleCache) == 1, "--xbzrle-cache",
            "must be a power of two of at least one page", xbzrleCache);
        check(!xbzrle || pageSize <= 16384, "--xbzrle", "needs pages of at most 16k, not", pageSize);
        check(maxRounds >= 1, "--max-rounds", "must be at least 1", maxRounds);
        check(maxTimeMs >= 1, "--max-time", "must be at least 1ms", maxTimeMs);
        check(downtimeMs >= 1 && downtimeMs <= 2_000_000, "--downtime", "must be 1ms to 2000s", downtimeMs);
        check(postcopyAfter >= 1, "--postcopy-after", "must be at least 1", postcopyAfter);
        check(prepage >= 0 && prepage <= 4096, "--prepage", "must be 0 to 4096", prepage);
        check(deviceState >= 0 && deviceState <= (64 << 20), "--device-state", "must be 0 to 64m", deviceState);
        final GiveUp giveUp;
        try
        {
            giveUp = GiveUp.parse(onGiveUp);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadOption("--on-give-up", "must be cancel, stop or postcopy: " + onGiveUp);
        }
        final long bytesPerSecond;
        try
        {
            bytesPerSecond = SizeParser.parsePerSecond(bandwidth);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadOption("--bandwidth", "must be a size per second such as 1g or 128m/s (0 for unlimited): " +
                bandwidth);
        }
        final long limit = dirtyLimit(tracker);
        check(dirtyLimitPeriodMs >= 1, "--dirty-limit-period", "must be at least 1ms", dirtyLimitPeriodMs);
        return MigrationOptions.defaults().withMode(m).withBandwidth(bytesPerSecond).withDowntimeLimitMs(downtimeMs)
            .withXbzrle(xbzrle).withXbzrleCacheBytes(xbzrleCache).withLz4(lz4).withMaxRounds(maxRounds)
            .withMaxTimeMs(maxTimeMs).withOnGiveUp(giveUp).withAutoConverge(autoConverge).withStopPolicy(p)
            .withDirtyLimit(limit).withDirtyLimitPeriodMs(dirtyLimitPeriodMs).withPostcopyAfterRounds(postcopyAfter)
            .withPrepageWindow(prepage).withDeviceStateBytes((int)deviceState);
    }

    /** @return {@code --dirty-limit} in bytes per second, 0 without it. */
    private long dirtyLimit(final String tracker) throws BadOption
    {
        if (dirtyLimit == null)
        {
            return 0;
        }
        final String rule = "must be a positive size per second such as 1m or 50m/s";
        final long limit;
        try
        {
            limit = SizeParser.parsePerSecond(dirtyLimit);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadOption("--dirty-limit", rule + ": " + dirtyLimit);
        }
        check(limit > 0, "--dirty-limit", rule, dirtyLimit);
        check(tracker.equals("ring"), "--dirty-limit", "needs --tracker ring (it reads each vCPU's dirty ring), not", tracker);
        if (autoConverge)
        {
            throw new BadOption("--dirty-limit", "excludes --auto-converge: choose one throttle");
        }
        return limit;
    }
}
