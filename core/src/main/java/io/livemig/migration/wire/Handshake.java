package io.livemig.migration.wire;

import io.livemig.memory.GuestMemory;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.options.MigrationMode;
import io.livemig.stream.ChannelInput;
import io.livemig.stream.ChannelOutput;
import io.livemig.stream.PageStreamException;

import java.io.IOException;
import java.util.List;

/**
 * What a source proposes when it connects to a destination in another process ({@code scripts/migrate --to}
 * to {@code --listen}): the stream's options and the guest the destination must build, so that a
 * destination that cannot apply the stream refuses it before any page moves ({@link HandshakeReply}).
 *
 * <pre>
 *  offset  bytes  field (big-endian)
 *   0      4      magic "LMHS"
 *   4      2      version (1)
 *   6      1      mode: 0 precopy, 1 postcopy, 2 hybrid
 *   7      1      flags: 0x01 XBZRLE, 0x02 LZ4, 0x04 page digests after COMPLETE, 0x08 post-copy recovery
 *                 (then the source sends a migration id after the reply, see {@link ChannelHello}), 0x10 a
 *                 post-copy preempt connection (joins after the page channels, see {@link ChannelHello}); other
 *                 bits 0
 *   8      2      channels: 1, or N page channels (a destination takes up to 64, see {@link ChannelHello})
 *  10      4      page size: a power of two, 4 KiB to 2 MiB
 *  14      8      guest memory bytes: a positive multiple of the page size, at most 2^31 pages
 *  22      4      device-state bytes, at most 64 MiB
 *  26      2      vCPUs (writers), 0 to 256
 *  28      2      of them compute vCPUs (read only): 0, or fewer than the vCPUs
 *  30      1      access pattern: 0 uniform, 1 hotset, 2 zipf, 3 sequential
 *  31      4      bytes per write: 1 to page size / vCPUs
 *  35      8      dirty rate, pages per second over all vCPUs, 0 = flat out
 *  43      8      seed of the vCPUs' writes
 *  51      4      milliseconds the destination runs the guest after migration to measure its rate (&lt;= 1 h)
 *  55             end
 * </pre>
 *
 * {@link #read} is the one entry point for these bytes from the network. It reads exactly {@link #LENGTH}
 * bytes, allocates nothing from them, and refuses with a {@link PageStreamException} (the offset of the
 * field and why) anything above that does not hold. Whether this destination can apply a well-formed
 * proposal (channels, memory) is {@link #refusal}'s question.
 *
 * <p>Immutable; thread-safe.
 *
 * @param mode             the migration mode.
 * @param xbzrle           XBZRLE pages may come.
 * @param lz4              LZ4 pages may come.
 * @param digests          the roles exchange page digests after COMPLETE.
 * @param channels         TCP channels.
 * @param pageSize         bytes per page.
 * @param memoryBytes      guest memory.
 * @param deviceStateBytes device-state blob.
 * @param writers          vCPUs.
 * @param computeVcpus     of them, the ones that only read.
 * @param pattern          index into {@link #PATTERNS}.
 * @param bytesPerTouch    bytes each write stores.
 * @param dirtyRate        pages per second over all vCPUs, 0 = flat out.
 * @param seed             seed of the writes.
 * @param afterMs          how long the destination measures the guest's rate after migration.
 * @param recover          a post-copy cut pauses both sides, and the source reconnects with a hello naming this
 *                         migration's id ({@code --recover}).
 * @param preempt          post-copy's requested pages come on a preempt connection of their own
 *                         ({@code --postcopy-preempt}).
 */
public record Handshake(
    MigrationMode mode, boolean xbzrle, boolean lz4, boolean digests, int channels, int pageSize, long memoryBytes,
    int deviceStateBytes, int writers, int computeVcpus, int pattern, int bytesPerTouch, long dirtyRate, long seed,
    int afterMs, boolean recover, boolean preempt)
{
    /** "LMHS". */
    public static final int MAGIC = 0x4C4D4853;
    /** The version this code writes and reads. */
    public static final int VERSION = 1;
    /** Bytes of a proposal. */
    public static final int LENGTH = 55;
    /** Most channels a proposal may name. */
    public static final int MAX_CHANNELS = 256;
    /** Most channels this destination applies. */
    public static final int SUPPORTED_CHANNELS = MigrationLink.MAX_CHANNELS;
    /** Access patterns by their index. */
    public static final List<String> PATTERNS = List.of("uniform", "hotset", "zipf", "sequential");

    static final int FLAG_XBZRLE = 0x01;
    static final int FLAG_LZ4 = 0x02;
    static final int FLAG_DIGESTS = 0x04;
    static final int FLAG_RECOVER = 0x08;
    static final int FLAG_PREEMPT = 0x10;
    private static final int MODE_OFFSET = 6;
    private static final int FLAGS_OFFSET = 7;
    private static final int CHANNELS_OFFSET = 8;
    private static final int PAGE_SIZE_OFFSET = 10;
    private static final int MEMORY_OFFSET = 14;
    private static final int DEVICE_OFFSET = 22;
    private static final int WRITERS_OFFSET = 26;
    private static final int COMPUTE_OFFSET = 28;
    private static final int PATTERN_OFFSET = 30;
    private static final int TOUCH_OFFSET = 31;
    private static final int RATE_OFFSET = 35;
    private static final int AFTER_OFFSET = 51;
    private static final int MAX_AFTER_MS = 3_600_000;
    private static final int MAX_XBZRLE_PAGE = 16384;

    /** @throws IllegalArgumentException if the proposal breaks a rule of the layout. */
    public Handshake
    {
        final String error = check(mode.ordinal(), channels, pageSize, memoryBytes, deviceStateBytes, writers,
            computeVcpus, pattern, bytesPerTouch, dirtyRate, afterMs, xbzrle);
        if (error != null)
        {
            throw new IllegalArgumentException(error.substring(error.indexOf(' ') + 1));
        }
    }

    /** A proposal without a preempt connection. */
    public Handshake(
        final MigrationMode mode, final boolean xbzrle, final boolean lz4, final boolean digests, final int channels,
        final int pageSize, final long memoryBytes, final int deviceStateBytes, final int writers, final int computeVcpus,
        final int pattern, final int bytesPerTouch, final long dirtyRate, final long seed, final int afterMs,
        final boolean recover)
    {
        this(mode, xbzrle, lz4, digests, channels, pageSize, memoryBytes, deviceStateBytes, writers, computeVcpus,
            pattern, bytesPerTouch, dirtyRate, seed, afterMs, recover, false);
    }

    /** A proposal without post-copy recovery. */
    public Handshake(
        final MigrationMode mode, final boolean xbzrle, final boolean lz4, final boolean digests, final int channels,
        final int pageSize, final long memoryBytes, final int deviceStateBytes, final int writers, final int computeVcpus,
        final int pattern, final int bytesPerTouch, final long dirtyRate, final long seed, final int afterMs)
    {
        this(mode, xbzrle, lz4, digests, channels, pageSize, memoryBytes, deviceStateBytes, writers, computeVcpus,
            pattern, bytesPerTouch, dirtyRate, seed, afterMs, false);
    }

    /** Writes the proposal (not flushed). */
    public void write(final ChannelOutput out) throws IOException
    {
        out.putInt(MAGIC);
        out.putShort(VERSION);
        out.putByte(mode.ordinal());
        out.putByte((xbzrle ? FLAG_XBZRLE : 0) | (lz4 ? FLAG_LZ4 : 0) | (digests ? FLAG_DIGESTS : 0) |
            (recover ? FLAG_RECOVER : 0) | (preempt ? FLAG_PREEMPT : 0));
        out.putShort(channels);
        out.putInt(pageSize);
        out.putLong(memoryBytes);
        out.putInt(deviceStateBytes);
        out.putShort(writers);
        out.putShort(computeVcpus);
        out.putByte(pattern);
        out.putInt(bytesPerTouch);
        out.putLong(dirtyRate);
        out.putLong(seed);
        out.putInt(afterMs);
    }

    /**
     * Reads one proposal.
     *
     * @throws PageStreamException for a wrong magic or version, a field out of its range, or fewer bytes
     *                             than a proposal; the offset is the field's, counted from the proposal's start.
     */
    public static Handshake read(final ChannelInput in) throws PageStreamException
    {
        final long at = in.position();
        final int magic = in.readInt();
        if (magic != MAGIC)
        {
            throw new PageStreamException(at, (magic >>> 16) == 0x1603 ? "handshake: a TLS ClientHello: the source " +
                "migrates over TLS (--tls-creds), this destination listens in clear" :
                "handshake: not a livemig source: magic 0x" + Integer.toHexString(magic) + ", expected 0x" +
                Integer.toHexString(MAGIC));
        }
        final int version = in.readUnsignedShort();
        if (version != VERSION)
        {
            throw new PageStreamException(at + 4, "handshake: version " + version + ", this side speaks " + VERSION);
        }
        final int mode = in.readUnsignedByte();
        final int flags = in.readUnsignedByte();
        final int channels = in.readUnsignedShort();
        final int pageSize = in.readInt();
        final long memory = in.readLong();
        final int device = in.readInt();
        final int writers = in.readUnsignedShort();
        final int compute = in.readUnsignedShort();
        final int pattern = in.readUnsignedByte();
        final int touch = in.readInt();
        final long rate = in.readLong();
        final long seed = in.readLong();
        final int after = in.readInt();
        if ((flags & ~(FLAG_XBZRLE | FLAG_LZ4 | FLAG_DIGESTS | FLAG_RECOVER | FLAG_PREEMPT)) != 0)
        {
            throw new PageStreamException(at + FLAGS_OFFSET, "handshake: unknown flags 0x" + Integer.toHexString(flags));
        }
        final String error = check(mode, channels, pageSize, memory, device, writers, compute, pattern, touch, rate,
            after, (flags & FLAG_XBZRLE) != 0);
        if (error != null)
        {
            final int space = error.indexOf(' ');
            throw new PageStreamException(at + Integer.parseInt(error.substring(0, space)),
                "handshake: " + error.substring(space + 1));
        }
        return new Handshake(MigrationMode.values()[mode], (flags & FLAG_XBZRLE) != 0, (flags & FLAG_LZ4) != 0,
            (flags & FLAG_DIGESTS) != 0, channels, pageSize, memory, device, writers, compute, pattern, touch, rate,
            seed, after, (flags & FLAG_RECOVER) != 0, (flags & FLAG_PREEMPT) != 0);
    }

    /** @return "OFFSET reason" for the first field out of range, or null. */
    private static String check(final int mode, final int channels, final int pageSize, final long memory,
        final int device, final int writers, final int compute, final int pattern, final int touch, final long rate,
        final int after, final boolean xbzrle)
    {
        if (mode < 0 || mode >= MigrationMode.values().length)
        {
            return MODE_OFFSET + " mode " + mode + " is none of 0 precopy, 1 postcopy, 2 hybrid";
        }
        if (channels < 1 || channels > MAX_CHANNELS)
        {
            return CHANNELS_OFFSET + " channels " + channels + " is not 1 to " + MAX_CHANNELS;
        }
        if (pageSize < GuestMemory.MIN_PAGE_SIZE || pageSize > GuestMemory.MAX_PAGE_SIZE || Integer.bitCount(pageSize) != 1)
        {
            return PAGE_SIZE_OFFSET + " page size " + (pageSize & 0xFFFF_FFFFL) + " is not a power of two from 4096 to 2097152";
        }
        if (memory <= 0 || memory % pageSize != 0 || memory / pageSize > (1L << 31))
        {
            return MEMORY_OFFSET + " memory of " + memory + " bytes is not a positive multiple of the page size " +
                pageSize + " of at most 2^31 pages";
        }
        if (device < 0 || device > MigrationEnvelopeDescriptor.MAX_DEVICE_STATE)
        {
            return DEVICE_OFFSET + " device state of " + (device & 0xFFFF_FFFFL) + " bytes exceeds " +
                MigrationEnvelopeDescriptor.MAX_DEVICE_STATE;
        }
        if (writers > 256)
        {
            return WRITERS_OFFSET + " " + writers + " vCPUs, at most 256";
        }
        if (compute != 0 && compute >= writers)
        {
            return COMPUTE_OFFSET + " " + compute + " compute vCPUs of " + writers + ": must be fewer";
        }
        if (pattern >= PATTERNS.size() || pattern < 0)
        {
            return PATTERN_OFFSET + " access pattern " + pattern + " is none of 0 uniform, 1 hotset, 2 zipf, 3 sequential";
        }
        if (touch < 1 || (writers > 0 && (long)touch * writers > pageSize))
        {
            return TOUCH_OFFSET + " " + (touch & 0xFFFF_FFFFL) + " bytes per write is not 1 to page size / vCPUs";
        }
        if (rate < 0)
        {
            return RATE_OFFSET + " dirty rate " + rate + " is negative";
        }
        if (after < 0 || after > MAX_AFTER_MS)
        {
            return AFTER_OFFSET + " after-phase of " + (after & 0xFFFF_FFFFL) + " ms is not 0 to " + MAX_AFTER_MS;
        }
        if (xbzrle && pageSize > MAX_XBZRLE_PAGE)
        {
            return FLAGS_OFFSET + " XBZRLE with " + pageSize + "-byte pages (at most " + MAX_XBZRLE_PAGE + ")";
        }
        return null;
    }

    /**
     * Whether this destination can apply the proposal.
     *
     * @param availableBytes memory the destination may still allocate, or -1 if unknown.
     * @return a one-line reason to refuse, or null to accept.
     */
    public String refusal(final long availableBytes)
    {
        if (channels > SUPPORTED_CHANNELS)
        {
            return "the source asks for " + channels + " channels, this destination takes at most " + SUPPORTED_CHANNELS;
        }
        if (recover && channels > 1)
        {
            return "post-copy recovery needs one channel, the source asks for " + channels;
        }
        final long needed = memoryBytes + 2L * deviceStateBytes + memoryBytes / pageSize / 2;
        if (availableBytes >= 0 && needed > availableBytes)
        {
            return "a guest of " + memoryBytes + " bytes needs " + needed + " bytes here, " + availableBytes + " are available";
        }
        return null;
    }

    /** @return the access pattern's name. */
    public String patternName()
    {
        return PATTERNS.get(pattern);
    }
}
