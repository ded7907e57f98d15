package io.livemig.migration.options;

/**
 * The knobs of one migration, QEMU's migration parameters and capabilities in spirit: bandwidth, downtime
 * limit, XBZRLE and its cache, LZ4, auto-converge, limits on rounds and time, the stop policy and the
 * post-copy settings. Defaults are QEMU's where QEMU has one (128 MiB/s, 300 ms, 64 MiB cache,
 * auto-converge 20 % + 10 %).
 *
 * <p>Immutable: every {@code with...} method validates its argument and returns a copy, so a bad value is
 * refused where it is set, with its name.
 */
public final class MigrationOptions implements Cloneable
{
    /** Largest device-state blob a migration sends or a reader accepts: 64 MiB. */
    public static final int MAX_DEVICE_STATE_BYTES = 64 << 20;

    /** QEMU's default max-bandwidth: 128 MiB/s. */
    public static final long DEFAULT_BANDWIDTH = 128L << 20;

    private MigrationMode mode = MigrationMode.PRECOPY;
    private long bandwidth = DEFAULT_BANDWIDTH;
    private long downtimeLimitMs = 300;
    private boolean xbzrle;
    private long xbzrleCacheBytes = 64L << 20;
    private boolean lz4;
    private int maxRounds = 100;
    private long maxTimeMs = 60_000;
    private GiveUp onGiveUp = GiveUp.CANCEL;
    private boolean autoConverge;
    private int throttleInitial = 20;
    private int throttleIncrement = 10;
    private int throttleMax = 99;
    private int throttleTrigger = 50;
    private StopPolicy stopPolicy = StopPolicy.WIRE;
    private int postcopyAfterRounds = 2;
    private int prepageWindow = 8;
    private int deviceStateBytes = 256 << 10;
    private boolean mirrorForVerify;
    private boolean digests;
    private long dirtyLimitBytesPerSecond;
    private long dirtyLimitPeriodMs = 1000;
    private boolean recover;
    private boolean postcopyPreempt;
    private long recoverTimeoutMs = DEFAULT_RECOVER_TIMEOUT_MS;

    /**
     * How long a paused post-copy migration waits for a new link before it fails: 30 s, the default link
     * timeout, long enough for a reconnect over a flapping link and short enough that a guest whose vCPUs
     * wait on missing pages is not left hanging for minutes.
     */
    public static final long DEFAULT_RECOVER_TIMEOUT_MS = 30_000;

    /** @return the defaults. */
    public static MigrationOptions defaults()
    {
        return new MigrationOptions();
    }

    private MigrationOptions copy()
    {
        try
        {
            return (MigrationOptions)clone();
        }
        catch (final CloneNotSupportedException ex)
        {
            throw new AssertionError(ex);
        }
    }

    /** @return a copy with this mode. */
    public MigrationOptions withMode(final MigrationMode value)
    {
        if (value == null)
        {
            throw new NullPointerException("mode");
        }
        final MigrationOptions o = copy();
        o.mode = value;
        return o;
    }

    /** @return a copy with this forward bandwidth in bytes per second, 0 for unlimited. */
    public MigrationOptions withBandwidth(final long bytesPerSecond)
    {
        check(bytesPerSecond >= 0, "bandwidth", bytesPerSecond, "0 (unlimited) or positive");
        final MigrationOptions o = copy();
        o.bandwidth = bytesPerSecond;
        return o;
    }

    /** @return a copy with this downtime limit in milliseconds (at least 1). */
    public MigrationOptions withDowntimeLimitMs(final long ms)
    {
        check(ms >= 1 && ms <= 2_000_000, "downtime limit", ms, "1 ms to 2000 s");
        final MigrationOptions o = copy();
        o.downtimeLimitMs = ms;
        return o;
    }

    /** @return a copy with XBZRLE on or off. */
    public MigrationOptions withXbzrle(final boolean on)
    {
        final MigrationOptions o = copy();
        o.xbzrle = on;
        return o;
    }

    /** @return a copy with this XBZRLE cache size (a power of two, checked against the page size later). */
    public MigrationOptions withXbzrleCacheBytes(final long bytes)
    {
        check(bytes > 0 && Long.bitCount(bytes) == 1, "xbzrle cache", bytes, "a power of two");
        final MigrationOptions o = copy();
        o.xbzrleCacheBytes = bytes;
        return o;
    }

    /** @return a copy with LZ4 on or off. */
    public MigrationOptions withLz4(final boolean on)
    {
        final MigrationOptions o = copy();
        o.lz4 = on;
        return o;
    }

    /** @return a copy that gives up after this many pre-copy rounds (at least 1). */
    public MigrationOptions withMaxRounds(final int rounds)
    {
        check(rounds >= 1, "max rounds", rounds, "at least 1");
        final MigrationOptions o = copy();
        o.maxRounds = rounds;
        return o;
    }

    /** @return a copy that gives up pre-copy after this many milliseconds (at least 1). */
    public MigrationOptions withMaxTimeMs(final long ms)
    {
        check(ms >= 1, "max time", ms, "at least 1 ms");
        final MigrationOptions o = copy();
        o.maxTimeMs = ms;
        return o;
    }

    /** @return a copy with auto-converge on or off. */
    public MigrationOptions withAutoConverge(final boolean on)
    {
        final MigrationOptions o = copy();
        o.autoConverge = on;
        return o;
    }

    /**
     * @return a copy with QEMU's dirty-limit at {@code bytesPerSecond} per vCPU (QEMU's {@code
     *         vcpu-dirty-limit}, whose default is 1 MB/s), or off with 0. It needs the ring tracker and is
     *         triggered as auto-converge is; the engine refuses both at once.
     */
    public MigrationOptions withDirtyLimit(final long bytesPerSecond)
    {
        check(bytesPerSecond >= 0, "dirty limit", bytesPerSecond, "0 (off) or positive bytes per second");
        final MigrationOptions o = copy();
        o.dirtyLimitBytesPerSecond = bytesPerSecond;
        return o;
    }

    /** @return a copy measuring and enforcing the dirty limit every {@code ms} (QEMU's default 1000). */
    public MigrationOptions withDirtyLimitPeriodMs(final long ms)
    {
        check(ms >= 1, "dirty limit period", ms, "at least 1 ms");
        final MigrationOptions o = copy();
        o.dirtyLimitPeriodMs = ms;
        return o;
    }

    /** @return each vCPU's dirty-rate quota in bytes per second, 0 if dirty-limit is off. */
    public long dirtyLimit()
    {
        return dirtyLimitBytesPerSecond;
    }

    /** @return the dirty limit's period in milliseconds. */
    public long dirtyLimitPeriodMs()
    {
        return dirtyLimitPeriodMs;
    }

    /** @return a copy with these auto-converge steps: initial, increment and maximum throttle in percent. */
    public MigrationOptions withThrottle(final int initial, final int increment, final int max)
    {
        check(max >= 1 && max <= 99, "throttle max", max, "1 to 99");
        check(initial >= 1 && initial <= max, "throttle initial", initial, "1 to the maximum " + max);
        check(increment >= 1 && increment <= 99, "throttle increment", increment, "1 to 99");
        final MigrationOptions o = copy();
        o.throttleInitial = initial;
        o.throttleIncrement = increment;
        o.throttleMax = max;
        return o;
    }

    /**
     * @return a copy in which auto-converge throttles after a period that dirtied more than {@code percent} %
     *         of the bytes the round sent (QEMU's {@code throttle-trigger-threshold}, default 50).
     */
    public MigrationOptions withThrottleTrigger(final int percent)
    {
        check(percent >= 1 && percent <= 100, "throttle trigger", percent, "1 to 100");
        final MigrationOptions o = copy();
        o.throttleTrigger = percent;
        return o;
    }

    /** @return a copy with this stop policy. */
    public MigrationOptions withStopPolicy(final StopPolicy policy)
    {
        if (policy == null)
        {
            throw new NullPointerException("stop policy");
        }
        final MigrationOptions o = copy();
        o.stopPolicy = policy;
        return o;
    }

    /** @return a copy whose hybrid mode switches to post-copy after this many pre-copy rounds (at least 1). */
    public MigrationOptions withPostcopyAfterRounds(final int rounds)
    {
        check(rounds >= 1, "postcopy after rounds", rounds, "at least 1");
        final MigrationOptions o = copy();
        o.postcopyAfterRounds = rounds;
        return o;
    }

    /** @return a copy that pre-pages this many pages around each post-copy fault (0 to 4096). */
    public MigrationOptions withPrepageWindow(final int pages)
    {
        check(pages >= 0 && pages <= 4096, "prepage window", pages, "0 to 4096 pages");
        final MigrationOptions o = copy();
        o.prepageWindow = pages;
        return o;
    }

    /** @return a copy with a device-state blob of this many bytes. */
    public MigrationOptions withDeviceStateBytes(final int bytes)
    {
        check(bytes >= 0 && bytes <= MAX_DEVICE_STATE_BYTES, "device state", bytes,
            "0 to " + MAX_DEVICE_STATE_BYTES + " bytes");
        final MigrationOptions o = copy();
        o.deviceStateBytes = bytes;
        return o;
    }

    /**
     * @return a copy that, after switch-over, mirrors destination writes into the source so the two can be
     *         compared at the end (see {@link io.livemig.workload.VcpuTarget}). Costs a second store per write.
     */
    public MigrationOptions withMirrorForVerify(final boolean on)
    {
        final MigrationOptions o = copy();
        o.mirrorForVerify = on;
        return o;
    }

    /**
     * @return a copy that, after COMPLETE, exchanges a 64-bit digest of every page between the two roles
     *         ({@link io.livemig.migration.wire.PageDigests}), so that two processes can verify without moving pages again. Excludes
     *         {@link #withMirrorForVerify}: the source must stay as it was at the stop.
     */
    public MigrationOptions withDigests(final boolean on)
    {
        final MigrationOptions o = copy();
        o.digests = on;
        return o;
    }

    /**
     * @return a copy in which a cut after the switch to post-copy pauses both roles ({@code postcopy-paused})
     *         until a new link resumes the migration (see {@link io.livemig.migration.destination.MigrationDestination}, "Post-copy recovery").
     */
    public MigrationOptions withRecover(final boolean on)
    {
        final MigrationOptions o = copy();
        o.recover = on;
        return o;
    }

    /**
     * @return a copy that, with {@code on}, serves post-copy's page requests on a preempt connection of their own
     * (QEMU's postcopy-preempt): a requested page never waits behind the push.
     */
    public MigrationOptions withPostcopyPreempt(final boolean on)
    {
        final MigrationOptions o = copy();
        o.postcopyPreempt = on;
        return o;
    }

    /** @return whether post-copy's requested pages travel on a preempt connection. */
    public boolean postcopyPreempt()
    {
        return postcopyPreempt;
    }

    /** @return a copy in which one post-copy pause that lasts longer than {@code ms} fails the migration. */
    public MigrationOptions withRecoverTimeoutMs(final long ms)
    {
        check(ms > 0 && ms <= 3_600_000, "recover timeout", ms, "1 ms to 1 hour");
        final MigrationOptions o = copy();
        o.recoverTimeoutMs = ms;
        return o;
    }

    /** @return whether a post-copy cut pauses and may be recovered from. */
    public boolean recover()
    {
        return recover;
    }

    /** @return how long one post-copy pause may last, ms. */
    public long recoverTimeoutMs()
    {
        return recoverTimeoutMs;
    }

    /** @return the mode. */
    public MigrationMode mode()
    {
        return mode;
    }

    /** @return forward bandwidth in bytes per second, 0 for unlimited. */
    public long bandwidth()
    {
        return bandwidth;
    }

    /** @return the downtime limit in milliseconds. */
    public long downtimeLimitMs()
    {
        return downtimeLimitMs;
    }

    /** @return whether XBZRLE is used after the first pass. */
    public boolean xbzrle()
    {
        return xbzrle;
    }

    /** @return XBZRLE cache bytes. */
    public long xbzrleCacheBytes()
    {
        return xbzrleCacheBytes;
    }

    /** @return whether LZ4 is used for pages sent in full. */
    public boolean lz4()
    {
        return lz4;
    }

    /** @return most pre-copy rounds before giving up. */
    public int maxRounds()
    {
        return maxRounds;
    }

    /** @return what pre-copy does when it gives up: {@link GiveUp#CANCEL} by default. */
    public GiveUp onGiveUp()
    {
        return onGiveUp;
    }

    /** @return a copy that does {@code value} when pre-copy reaches its round or time limit. */
    public MigrationOptions withOnGiveUp(final GiveUp value)
    {
        if (value == null)
        {
            throw new IllegalArgumentException("on-give-up must not be null");
        }
        final MigrationOptions o = copy();
        o.onGiveUp = value;
        return o;
    }

    /** @return most milliseconds of pre-copy before giving up. */
    public long maxTimeMs()
    {
        return maxTimeMs;
    }

    /** @return whether auto-converge throttles the guest. */
    public boolean autoConverge()
    {
        return autoConverge;
    }

    /** @return first throttle step in percent. */
    public int throttleInitial()
    {
        return throttleInitial;
    }

    /** @return throttle increment per round in percent. */
    public int throttleIncrement()
    {
        return throttleIncrement;
    }

    /** @return the share of the round's sent bytes, in percent, that a period must dirty to be throttled. */
    public int throttleTrigger()
    {
        return throttleTrigger;
    }

    /** @return largest throttle in percent. */
    public int throttleMax()
    {
        return throttleMax;
    }

    /** @return the stop policy. */
    public StopPolicy stopPolicy()
    {
        return stopPolicy;
    }

    /** @return pre-copy rounds before a hybrid migration switches to post-copy. */
    public int postcopyAfterRounds()
    {
        return postcopyAfterRounds;
    }

    /** @return pages pre-paged around each post-copy fault. */
    public int prepageWindow()
    {
        return prepageWindow;
    }

    /** @return device-state bytes. */
    public int deviceStateBytes()
    {
        return deviceStateBytes;
    }

    /** @return whether destination writes are mirrored into the source for verification. */
    public boolean mirrorForVerify()
    {
        return mirrorForVerify;
    }

    /** @return whether the roles exchange page digests after COMPLETE. */
    public boolean digests()
    {
        return digests;
    }

    private static void check(final boolean ok, final String name, final long value, final String expected)
    {
        if (!ok)
        {
            throw new IllegalArgumentException(name + " must be " + expected + ": " + value);
        }
    }
}
