package io.livemig.snapshot.file;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The first bytes of a snapshot file: what the guest is, where each part of the file lies, and who its parent
 * is. The layout of the whole file (big-endian throughout, every part at a 4 KiB-aligned offset):
 *
 * <pre>
 *  part          offset                                   bytes
 *  header        0                                        this record, zero-padded to the RAM offset
 *  RAM           max(4096, page size)                     pages x page size: page p at RAM + p x page size;
 *                                                         a page not present is a hole (never written)
 *  bitmap        RAM + pages x page size                  ceil(pages / 64) be64 words: bit p &amp; 63 of word
 *                                                         p / 64 set = page p's bytes are in its slot
 *  digests       bitmap's end, 4 KiB aligned              pages x be64: xxHash64 (seed 0) of each page, a
 *                                                         page not present having the digest of zeros
 *  device state  digests' end, 4 KiB aligned              device-state bytes; the file ends with them
 * </pre>
 *
 * The header:
 * <pre>
 *  offset  bytes  field
 *   0      4      magic "LMSN"
 *   4      2      version (1)
 *   6      1      mode: 0 stopped, 1 live, 2 background ({@link SnapshotMode})
 *   7      1      flags: 0x01 a diff snapshot, whose pages not present come from its parent; other bits 0
 *   8      4      page size: a power of two, 4 KiB to 2 MiB
 *  12      8      pages: 1 to 2^31
 *  20      8      RAM offset      } each exactly as the layout above computes it from the page size,
 *  28      8      bitmap offset   } the pages and the device-state bytes: a reader recomputes and compares
 *  36      8      digests offset  }
 *  44      8      device offset   }
 *  52      4      device-state bytes: 0 to 64 MiB
 *  56      8      device-state digest (xxHash64, seed 0)
 *  64      16     this snapshot's id (random)
 *  80      16     the parent's id: zero without a parent
 *  96      8      created: milliseconds since the epoch
 * 104      2      vCPUs (writers), 0 to 256
 * 106      2      of them compute vCPUs (read only)
 * 108      4      bytes per write
 * 112      8      dirty rate: pages per second over all vCPUs, 0 = flat out
 * 120      8      seed of the vCPUs' writes
 * 128      1      n: block name bytes, 1 to 255; then n bytes of printable ASCII
 *          1      k: access pattern bytes, 1 to 255; then k bytes of printable ASCII
 *          2      m: parent path bytes, 0 to 3072 (0 exactly when flag 0x01 is clear); then m bytes of UTF-8
 *          8      xxHash64 (seed 0) of every header byte before this field
 * </pre>
 *
 * The header is written last, after every other part has reached the file, so a save that stopped half way
 * leaves a file without the magic, which {@link #read} refuses. Immutable; thread-safe.
 *
 * @param mode         how the snapshot was taken.
 * @param pageSize     bytes per page.
 * @param pages        guest pages.
 * @param deviceBytes  bytes of device state.
 * @param deviceDigest the digest of the device state.
 * @param id           this snapshot's id.
 * @param parentId     the parent's id, or {@link SnapshotId#NONE}.
 * @param createdMs    when the snapshot's instant was, in ms since the epoch.
 * @param vcpus        the guest's vCPUs, as they must be resumed.
 * @param blockName    the RAM block's name.
 * @param parentPath   the parent snapshot's path as the saver named it, empty without a parent.
 */
public record SnapshotHeader(
    SnapshotMode mode, int pageSize, long pages, int deviceBytes, long deviceDigest, SnapshotId id,
    SnapshotId parentId, long createdMs, Vcpus vcpus, String blockName, String parentPath)
{
    /** "LMSN". */
    public static final int MAGIC = 0x4C4D534E;
    /** The version written and read. */
    public static final int VERSION = 1;
    /** The first offset after the header's region, and the alignment of every part. */
    public static final int ALIGN = 4096;
    /** Most bytes a header takes. */
    public static final int MAX_LENGTH = 129 + 255 + 1 + 255 + 2 + 3072 + 8;
    /** Most device-state bytes. */
    public static final int MAX_DEVICE_BYTES = 64 << 20;
    /** Most pages. */
    public static final long MAX_PAGES = 1L << 31;
    /** Most bytes of a parent's path. */
    public static final int MAX_PARENT_PATH = 3072;

    static final int FLAG_PARENT = 0x01;
    private static final int MIN_PAGE_SIZE = 4096;
    private static final int MAX_PAGE_SIZE = 2 << 20;

    /**
     * The guest's vCPUs as a restore resumes them.
     *
     * @param count         vCPUs, 0 to 256.
     * @param compute       of them, the ones that only read.
     * @param pattern       the access pattern's name.
     * @param bytesPerTouch bytes each write stores.
     * @param dirtyRate     pages per second over all vCPUs, 0 = flat out.
     * @param seed          seed of the writes.
     */
    public record Vcpus(int count, int compute, String pattern, int bytesPerTouch, long dirtyRate, long seed)
    {
    }

    /** @throws IllegalArgumentException if a field breaks a rule of the layout. */
    public SnapshotHeader
    {
        final String problem = problem(pageSize, pages, deviceBytes, vcpus, blockName, parentPath,
            !parentId.equals(SnapshotId.NONE));
        if (problem != null)
        {
            throw new IllegalArgumentException(problem);
        }
    }

    /** @return whether this is a diff snapshot, whose absent pages come from its parent. */
    public boolean hasParent()
    {
        return !parentId.equals(SnapshotId.NONE);
    }

    /** @return where page 0's slot starts. */
    public long ramOffset()
    {
        return Math.max(ALIGN, pageSize);
    }

    /** @return where the bitmap starts. */
    public long bitmapOffset()
    {
        return ramOffset() + pages * pageSize;
    }

    /** @return 64-bit words of the bitmap. */
    public int bitmapWords()
    {
        return (int)((pages + 63) >>> 6);
    }

    /** @return where the digests start. */
    public long digestsOffset()
    {
        return align(bitmapOffset() + 8L * bitmapWords());
    }

    /** @return where the device state starts. */
    public long deviceOffset()
    {
        return align(digestsOffset() + 8L * pages);
    }

    /** @return the file's length. */
    public long fileLength()
    {
        return deviceOffset() + deviceBytes;
    }

    /** @return the offset of page {@code page}'s slot. */
    public long pageOffset(final long page)
    {
        return ramOffset() + page * pageSize;
    }

    /** @return bytes of guest memory. */
    public long memoryBytes()
    {
        return pages * pageSize;
    }

    private static long align(final long offset)
    {
        return (offset + ALIGN - 1) & -(long)ALIGN;
    }

    /** Writes the header into {@code dst} from its position; @return the bytes written. */
    public int write(final ByteBuffer dst)
    {
        final int start = dst.position();
        dst.putInt(MAGIC).putShort((short)VERSION).put((byte)mode.ordinal()).put((byte)(hasParent() ? FLAG_PARENT : 0))
            .putInt(pageSize).putLong(pages).putLong(ramOffset()).putLong(bitmapOffset()).putLong(digestsOffset())
            .putLong(deviceOffset()).putInt(deviceBytes).putLong(deviceDigest)
            .putLong(id.high()).putLong(id.low()).putLong(parentId.high()).putLong(parentId.low())
            .putLong(createdMs).putShort((short)vcpus.count()).putShort((short)vcpus.compute())
            .putInt(vcpus.bytesPerTouch()).putLong(vcpus.dirtyRate()).putLong(vcpus.seed());
        putString(dst, blockName.getBytes(StandardCharsets.US_ASCII), false);
        putString(dst, vcpus.pattern().getBytes(StandardCharsets.US_ASCII), false);
        putString(dst, parentPath.getBytes(StandardCharsets.UTF_8), true);
        final int length = dst.position() - start;
        dst.putLong(PageDigest.of(dst, start, length));
        return length + 8;
    }

    private static void putString(final ByteBuffer dst, final byte[] bytes, final boolean wide)
    {
        if (wide)
        {
            dst.putShort((short)bytes.length);
        }
        else
        {
            dst.put((byte)bytes.length);
        }
        dst.put(bytes);
    }

    /**
     * Reads a header from the start of {@code src} (its position 0, at most {@link #MAX_LENGTH} bytes looked at)
     * and checks it against the layout and the file's length, so that every part it names lies inside the
     * file exactly where the layout puts it.
     *
     * @param src        the file's first bytes: min(file length, {@link #MAX_LENGTH}).
     * @param fileLength the file's length.
     * @throws SnapshotFormatException naming the offset of the first field that does not hold.
     */
    public static SnapshotHeader read(final ByteBuffer src, final long fileLength) throws SnapshotFormatException
    {
        final Fields f = new Fields(src);
        if (f.available() < 4 || src.getInt(0) != MAGIC)
        {
            throw new SnapshotFormatException(0, fileLength == 0 ? "the file is empty" :
                "no snapshot magic \"LMSN\" (not a livemig snapshot, or a save that did not finish)");
        }
        final int version = f.u16(4);
        if (version != VERSION)
        {
            throw new SnapshotFormatException(4, "version " + version + ", this reader reads " + VERSION);
        }
        final int modeByte = f.u8(6);
        if (modeByte >= SnapshotMode.values().length)
        {
            throw new SnapshotFormatException(6, "mode " + modeByte + " is not 0 (stopped), 1 (live) or 2 (background)");
        }
        final int flags = f.u8(7);
        if ((flags & ~FLAG_PARENT) != 0)
        {
            throw new SnapshotFormatException(7, String.format("unknown flags 0x%02x", flags));
        }
        final int pageSize = f.s32(8);
        refuse(8, pageSizeRule(pageSize));
        final long pages = f.s64(12);
        refuse(12, pageCountRule(pages));
        final int deviceBytes = f.s32(52);
        refuse(52, deviceBytesRule(deviceBytes));
        final long ramOffset = Math.max(ALIGN, pageSize);
        final long bitmapOffset = ramOffset + pages * pageSize;
        final long digestsOffset = align(bitmapOffset + 8 * ((pages + 63) >>> 6));
        final long deviceOffset = align(digestsOffset + 8 * pages);
        f.expect(20, "RAM offset", ramOffset);
        f.expect(28, "bitmap offset", bitmapOffset);
        f.expect(36, "digests offset", digestsOffset);
        f.expect(44, "device-state offset", deviceOffset);
        if (fileLength != deviceOffset + deviceBytes)
        {
            throw new SnapshotFormatException(Math.min(fileLength, deviceOffset + deviceBytes), "the file is " +
                fileLength + " bytes, its layout needs exactly " + (deviceOffset + deviceBytes) +
                (fileLength < deviceOffset + deviceBytes ? " (cut short)" : " (bytes after the device state)"));
        }
        final long deviceDigest = f.s64(56);
        final SnapshotId id = new SnapshotId(f.s64(64), f.s64(72));
        final SnapshotId parentId = new SnapshotId(f.s64(80), f.s64(88));
        final long createdMs = f.s64(96);
        final int vcpus = f.u16(104);
        final int compute = f.u16(106);
        refuse(104, vcpuCountRule(vcpus, compute));
        final int touch = f.s32(108);
        final long rate = f.s64(112);
        refuse(108, writesRule(touch, rate, pageSize));
        final long seed = f.s64(120);
        int at = 128;
        final String block = f.ascii(at, "block name");
        at += 1 + block.length();
        final String pattern = f.ascii(at, "access pattern");
        at += 1 + pattern.length();
        final int parentLength = f.u16(at);
        if (parentLength > MAX_PARENT_PATH || (parentLength == 0) == ((flags & FLAG_PARENT) != 0))
        {
            throw new SnapshotFormatException(at, "parent path of " + parentLength + " bytes with flags " +
                String.format("0x%02x", flags) + ": a path of 1 to " + MAX_PARENT_PATH + " bytes exactly when flag 0x01 is set");
        }
        final byte[] parentBytes = f.bytes(at + 2, parentLength, "parent path");
        at += 2 + parentLength;
        final long digest = f.s64(at);
        if (digest != PageDigest.of(src, 0, at))
        {
            throw new SnapshotFormatException(at, "the header's digest does not match its bytes");
        }
        if (((flags & FLAG_PARENT) != 0) == parentId.equals(SnapshotId.NONE))
        {
            throw new SnapshotFormatException(80, "parent id " + parentId + " with flags " +
                String.format("0x%02x", flags) + ": a parent has a non-zero id, and only a diff snapshot has one");
        }
        final String parentPath = new String(parentBytes, StandardCharsets.UTF_8);
        final Vcpus v = new Vcpus(vcpus, compute, pattern, touch, rate, seed);
        try
        {
            return new SnapshotHeader(SnapshotMode.values()[modeByte], pageSize, pages, deviceBytes, deviceDigest, id,
                parentId, createdMs, v, block, parentPath);
        }
        catch (final IllegalArgumentException ex) // a rule no field's check above names (the names' characters)
        {
            throw new SnapshotFormatException(0, ex.getMessage());
        }
    }

    private static void refuse(final long offset, final String problem) throws SnapshotFormatException
    {
        if (problem != null)
        {
            throw new SnapshotFormatException(offset, problem);
        }
    }

    private static String pageSizeRule(final int pageSize)
    {
        return pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || Integer.bitCount(pageSize) != 1 ?
            "page size " + pageSize + " is not a power of two from 4 KiB to 2 MiB" : null;
    }

    private static String pageCountRule(final long pages)
    {
        return pages < 1 || pages > MAX_PAGES ? "page count " + pages + " is not 1 to 2^31" : null;
    }

    private static String deviceBytesRule(final int deviceBytes)
    {
        return deviceBytes < 0 || deviceBytes > MAX_DEVICE_BYTES ?
            "device-state bytes " + deviceBytes + " are not 0 to 64 MiB" : null;
    }

    private static String vcpuCountRule(final int vcpus, final int compute)
    {
        return vcpus < 0 || vcpus > 256 || compute < 0 || (compute > 0 && compute >= vcpus) ? vcpus +
            " vCPUs with " + compute + " compute vCPUs: at most 256, and fewer compute than vCPUs" : null;
    }

    private static String writesRule(final int bytesPerTouch, final long dirtyRate, final int pageSize)
    {
        return bytesPerTouch < 1 || bytesPerTouch > pageSize || dirtyRate < 0 ? "bytes per write " + bytesPerTouch +
            " (1 to the page size) or dirty rate " + dirtyRate + " (0 or more) out of range" : null;
    }

    private static String problem(final int pageSize, final long pages, final int deviceBytes, final Vcpus vcpus,
        final String blockName, final String parentPath, final boolean parent)
    {
        for (final String rule : new String[] {pageSizeRule(pageSize), pageCountRule(pages),
            deviceBytesRule(deviceBytes), vcpuCountRule(vcpus.count(), vcpus.compute()),
            writesRule(vcpus.bytesPerTouch(), vcpus.dirtyRate(), pageSize)})
        {
            if (rule != null)
            {
                return rule; // the first broken rule, as read() names it with its field's offset
            }
        }
        if (!printable(blockName) || !printable(vcpus.pattern()))
        {
            return "block name and access pattern must be 1 to 255 printable ASCII characters without spaces";
        }
        final int parentBytes = parentPath.getBytes(StandardCharsets.UTF_8).length;
        if (parentBytes > MAX_PARENT_PATH || (parentBytes == 0) == parent)
        {
            return "a diff snapshot names its parent's path (1 to " + MAX_PARENT_PATH + " bytes), a full one none";
        }
        return null;
    }

    private static boolean printable(final String s)
    {
        if (s == null || s.isEmpty() || s.length() > 255)
        {
            return false;
        }
        for (int i = 0; i < s.length(); i++) // a loop, not a stream: a restore's resume pays for a cold lambda
        {
            if (s.charAt(i) <= 0x20 || s.charAt(i) >= 0x7f)
            {
                return false;
            }
        }
        return true;
    }

    /** Bounds-checked reads of the header's fields, each refusal naming the field's offset. */
    private static final class Fields
    {
        private final ByteBuffer src;

        Fields(final ByteBuffer src)
        {
            this.src = src;
        }

        int available()
        {
            return src.limit();
        }

        private void need(final int at, final int length, final String what) throws SnapshotFormatException
        {
            if (at + length > src.limit())
            {
                throw new SnapshotFormatException(src.limit(), "the header is cut short inside its " + what);
            }
        }

        int u8(final int at) throws SnapshotFormatException
        {
            need(at, 1, "fields");
            return src.get(at) & 0xff;
        }

        int u16(final int at) throws SnapshotFormatException
        {
            need(at, 2, "fields");
            return src.getShort(at) & 0xffff;
        }

        int s32(final int at) throws SnapshotFormatException
        {
            need(at, 4, "fields");
            return src.getInt(at);
        }

        long s64(final int at) throws SnapshotFormatException
        {
            need(at, 8, "fields");
            return src.getLong(at);
        }

        void expect(final int at, final String what, final long value) throws SnapshotFormatException
        {
            final long got = s64(at);
            if (got != value)
            {
                throw new SnapshotFormatException(at, what + " " + got + " is not where the layout puts it, " + value);
            }
        }

        byte[] bytes(final int at, final int length, final String what) throws SnapshotFormatException
        {
            need(at, length, what);
            final byte[] b = new byte[length];
            src.get(at, b);
            return b;
        }

        String ascii(final int at, final String what) throws SnapshotFormatException
        {
            final int length = u8(at);
            final byte[] b = bytes(at + 1, length, what);
            for (int i = 0; i < length; i++)
            {
                if (b[i] <= 0x20 || b[i] >= 0x7f)
                {
                    throw new SnapshotFormatException(at + 1 + i, what + " byte " + i + " is not printable ASCII");
                }
            }
            if (length == 0)
            {
                throw new SnapshotFormatException(at, what + " is empty");
            }
            return new String(b, StandardCharsets.US_ASCII);
        }
    }
}
