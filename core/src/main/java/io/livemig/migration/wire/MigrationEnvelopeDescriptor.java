package io.livemig.migration.wire;

import io.livemig.migration.options.MigrationOptions;

/**
 * The migration envelope: the bytes around the page stream on the forward link, as QEMU's savevm sections
 * wrap its RAM section. Everything is big-endian. The page stream itself is {@code page-stream.md}'s;
 * the envelope owns the start, device state, post-copy's hand-over and the end.
 *
 * <pre>
 *  header (once, first):
 *   0                   4         6                   10
 *   +-------------------+---------+-------------------+
 *   | magic "LMIG" be32 | ver be16| page size be32    |
 *   +-------------------+---------+-------------------+
 *
 *  then sections, each a type byte and its payload:
 *   +------+-----------------------------------------------------------------------+
 *   | 0x01 | RAM: page-stream records of one iteration, up to and including EOS;   |
 *   |      |      the first RAM section opens with the MEM_SIZE record             |
 *   | 0x02 | DISCARD: be32 runs, then runs x (be64 first page, be32 page count):   |
 *   |      |      pages the destination must not use until they come again (post-copy); |
 *   |      |      runs ascend and do not overlap                                    |
 *   | 0x03 | DEVICE: be32 length, length bytes of device state, be32 CRC-32C      |
 *   | 0x04 | POSTCOPY_RUN: no payload; the destination runs the vCPUs now and       |
 *   |      |      requests missing pages on the return path                         |
 *   | 0x05 | COMPLETE: no payload; the last byte of the stream                      |
 *   | 0x06 | CHANNEL_SYNC: be32 sequence (0, 1, ...): one more round went over every  |
 *   |      |      page channel, each ending it with EOS (only with channels &gt; 1)     |
 *   +------+-----------------------------------------------------------------------+
 * </pre>
 *
 * With several page channels each channel carries a page stream of its own ({@code page-stream.md}: MEM_SIZE,
 * then one iteration per round ended by EOS), the pre-copy rounds go only there and the forward stream
 * carries a CHANNEL_SYNC after each; RAM on the forward stream is then post-copy's only. Before acting on any
 * other section the destination waits until every channel applied every round announced ({@link
 * RoundBarrier}).
 *
 * Order a reader enforces: header; RAM*; then either DEVICE, COMPLETE (pre-copy) or DISCARD, DEVICE,
 * POSTCOPY_RUN, RAM, COMPLETE (post-copy). Anything else, an unknown magic or version, a page size other
 * than the destination's, a run outside the guest or before the end of the previous run, a device-state
 * length above the limit or a bad CRC, is refused with the stream offset and the reason. A reader sizes
 * nothing from a length before the bytes it announces have arrived.
 */
public final class MigrationEnvelopeDescriptor
{
    /** "LMIG". */
    public static final int MAGIC = 0x4C4D4947;
    /** The version this code writes and reads. */
    public static final int VERSION = 1;
    /** Bytes of the header. */
    public static final int HEADER_LENGTH = 10;

    /** Section: one iteration of the page stream. */
    public static final int SECTION_RAM = 0x01;
    /** Section: page runs stale on the destination. */
    public static final int SECTION_DISCARD = 0x02;
    /** Section: the device-state blob. */
    public static final int SECTION_DEVICE = 0x03;
    /** Section: the destination runs the guest from here (post-copy). */
    public static final int SECTION_POSTCOPY_RUN = 0x04;
    /** Section: end of migration. */
    public static final int SECTION_COMPLETE = 0x05;

    /** Section: a round went over every page channel. */
    public static final int SECTION_CHANNEL_SYNC = 0x06;

    /** Largest device-state blob a reader accepts: 64 MiB. */
    public static final int MAX_DEVICE_STATE = MigrationOptions.MAX_DEVICE_STATE_BYTES;

    private MigrationEnvelopeDescriptor()
    {
    }

    /** @return a section type's name for messages. */
    public static String sectionName(final int type)
    {
        switch (type)
        {
            case SECTION_RAM: return "RAM";
            case SECTION_DISCARD: return "DISCARD";
            case SECTION_DEVICE: return "DEVICE";
            case SECTION_POSTCOPY_RUN: return "POSTCOPY_RUN";
            case SECTION_COMPLETE: return "COMPLETE";
            case SECTION_CHANNEL_SYNC: return "CHANNEL_SYNC";
            default: return "unknown section 0x" + Integer.toHexString(type);
        }
    }
}
