package io.livemig.stream;

/**
 * Wire layout of the page stream and of the post-copy return path (spec: {@code shared/spec/page-stream.md}).
 * Everything is big-endian. Constants only; thread-safe.
 *
 * <p>Every record starts with one 64-bit header word, {@code offset | flags}: the offset of the page within
 * its RAM block is page aligned, so the flags live in the low bits and the reader splits the word with the
 * page size ({@code offset = word & ~(pageSize - 1)}, {@code flags = word & (pageSize - 1)}).
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |             header: offset in block (page aligned)            |
 *  +                                             +-----------------+
 *  |                                             |      flags      |
 *  +---------------------------------------------+-----------------+
 *  | name length   | block name (1-255 ASCII bytes; absent when    |
 *  +---------------+  the CONTINUE flag is set)                    |
 *  |                              ...                              |
 *  +---------------------------------------------------------------+
 *  | payload, by the page flag:                                    |
 *  |   ZERO:    u8 fill, must be 0                                 |
 *  |   PAGE:    pageSize bytes                                     |
 *  |   XBZRLE:  u8 encoding 0x01, be16 length (1..pageSize),       |
 *  |            length bytes of XBZRLE delta                       |
 *  |   LZ4:     be32 length (1..pageSize), length bytes of one raw |
 *  |            LZ4 block that decompresses to exactly one page    |
 *  +---------------------------------------------------------------+
 *
 *  MEM_SIZE (once, first):  be64 (totalBytes | MEM_SIZE), then per block:
 *                           u8 nameLength, name, be64 usedLength   (the lengths add up to totalBytes)
 *  EOS (ends an iteration): be64 EOS, no payload
 * </pre>
 * A page record has exactly one of ZERO, PAGE, XBZRLE, LZ4, optionally with CONTINUE (same block as the
 * previous page record; not allowed on the first page record after MEM_SIZE or EOS). MEM_SIZE and EOS carry
 * no other flag. QEMU's other flags (0x001, 0x080, 0x100, 0x200) are refused; a reader of a QEMU stream's RAM
 * section ({@link PageStreamDialect#QEMU}) takes MULTIFD_FLUSH (0x200, a record of its own), refuses LZ4, and
 * accepts CONTINUE on the first page record after EOS.
 *
 * <p>Return path, destination to source:
 * <pre>
 *  +-------------------------------+-------------------------------+
 *  |           be16 type           |     be16 length of payload    |
 *  +-------------------------------+-------------------------------+
 *  REQ_PAGES_ID (1): be64 offset, be32 byteLength, u8 nameLength, name   (length 13 + nameLength)
 *  REQ_PAGES    (2): be64 offset, be32 byteLength; block of the previous request  (length 12)
 *  SHUT         (3): be32 errorCode, 0 = done                            (length 4)
 * </pre>
 */
public final class PageStreamDescriptor
{
    /** Header flag: the page is all zero; payload one fill byte 0. */
    public static final int ZERO = 0x2;
    /** Header flag: setup record listing the RAM blocks and their used lengths. */
    public static final int MEM_SIZE = 0x4;
    /** Header flag: the page follows in full. */
    public static final int PAGE = 0x8;
    /** Header flag: end of an iteration; no payload. */
    public static final int EOS = 0x10;
    /** Header flag: same block as the previous page record; no block name follows. */
    public static final int CONTINUE = 0x20;
    /** Header flag: an XBZRLE delta follows. */
    public static final int XBZRLE = 0x40;
    /** Header flag (livemig extension): one raw LZ4 block follows. */
    public static final int LZ4 = 0x400;

    /** QEMU's obsolete FULL flag: refused. */
    public static final int QEMU_FULL = 0x1;
    /** QEMU's HOOK flag (RDMA): refused. */
    public static final int QEMU_HOOK = 0x80;
    /** QEMU's obsolete COMPRESS_PAGE flag: refused. */
    public static final int QEMU_COMPRESS_PAGE = 0x100;
    /** QEMU's MULTIFD_FLUSH flag: refused. */
    public static final int QEMU_MULTIFD_FLUSH = 0x200;

    /** Every flag a livemig reader knows; any other bit below the page size is refused. */
    public static final int KNOWN_FLAGS = ZERO | MEM_SIZE | PAGE | EOS | CONTINUE | XBZRLE | LZ4;
    /** The flags that say what a page record carries; exactly one must be set. */
    public static final int PAGE_KIND_FLAGS = ZERO | PAGE | XBZRLE | LZ4;

    /** Length of the header word. */
    public static final int HEADER_LENGTH = 8;
    /** Longest block name. */
    public static final int MAX_NAME_LENGTH = 255;
    /** The only XBZRLE encoding flag. */
    public static final int XBZRLE_ENCODING = 0x01;
    /** XBZRLE payload before the delta: encoding byte and be16 length. */
    public static final int XBZRLE_PREFIX_LENGTH = 3;
    /** LZ4 payload before the block: be32 length. */
    public static final int LZ4_PREFIX_LENGTH = 4;
    /** Largest page size for which XBZRLE is defined (its run lengths are two-byte ULEB128). */
    public static final int XBZRLE_MAX_PAGE_SIZE = io.livemig.codec.Xbzrle.MAX_PAGE_SIZE;

    /** Return path: type and length words before each payload. */
    public static final int RP_HEADER_LENGTH = 4;
    /** Return path: request pages of a named block. */
    public static final int RP_REQ_PAGES_ID = 1;
    /** Return path: request pages of the block of the previous request. */
    public static final int RP_REQ_PAGES = 2;
    /** Return path: the destination is done (error code 0) or failed. */
    public static final int RP_SHUT = 3;
    /** Return path: REQ_PAGES payload length, also the fixed part of REQ_PAGES_ID before its name length. */
    public static final int RP_REQ_PAGES_LENGTH = 12;
    /** Return path: SHUT payload length. */
    public static final int RP_SHUT_LENGTH = 4;

    private PageStreamDescriptor()
    {
    }

    /** @return the header word of a record: {@code offset | flags}. */
    public static long header(final long offset, final int flags)
    {
        return offset | flags;
    }

    /** @return the offset part of a header word, split with {@code pageSize}. */
    public static long offset(final long header, final int pageSize)
    {
        return header & -(long)pageSize;
    }

    /** @return the flags part of a header word, split with {@code pageSize}. */
    public static int flags(final long header, final int pageSize)
    {
        return (int)(header & (pageSize - 1));
    }

    /** @return a readable list of the flags set, e.g. {@code "ZERO|CONTINUE|0x1000"}, for messages. */
    public static String describeFlags(final int flags)
    {
        final StringBuilder sb = new StringBuilder();
        int left = flags;
        left = appendFlag(sb, left, ZERO, "ZERO");
        left = appendFlag(sb, left, MEM_SIZE, "MEM_SIZE");
        left = appendFlag(sb, left, PAGE, "PAGE");
        left = appendFlag(sb, left, EOS, "EOS");
        left = appendFlag(sb, left, CONTINUE, "CONTINUE");
        left = appendFlag(sb, left, XBZRLE, "XBZRLE");
        left = appendFlag(sb, left, LZ4, "LZ4");
        left = appendFlag(sb, left, QEMU_FULL, "FULL");
        left = appendFlag(sb, left, QEMU_HOOK, "HOOK");
        left = appendFlag(sb, left, QEMU_COMPRESS_PAGE, "COMPRESS_PAGE");
        left = appendFlag(sb, left, QEMU_MULTIFD_FLUSH, "MULTIFD_FLUSH");
        if (left != 0)
        {
            sb.append(sb.length() == 0 ? "" : "|").append("0x").append(Integer.toHexString(left));
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    private static int appendFlag(final StringBuilder sb, final int flags, final int flag, final String name)
    {
        if ((flags & flag) == 0)
        {
            return flags;
        }
        sb.append(sb.length() == 0 ? "" : "|").append(name);
        return flags & ~flag;
    }
}
