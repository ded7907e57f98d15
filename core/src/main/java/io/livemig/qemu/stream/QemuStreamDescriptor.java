package io.livemig.qemu.stream;

import java.util.Map;

/**
 * Wire layout of the envelope of a QEMU migration stream (spec: {@code shared/spec/qemu-stream.md}), as QEMU
 * 7.2 writes it with {@code migrate "exec:cat > FILE"}; the RAM section's records inside it are the page
 * stream's ({@link io.livemig.stream.PageStreamDescriptor}, QEMU dialect). Everything is big-endian.
 * Constants only; thread-safe.
 *
 * <p>The end of stream is the byte 0x00 (QEMU's {@code QEMU_VM_EOF}), as real 7.2 streams show: the spec's
 * table gives 0x1f, which no QEMU stream holds.
 * <pre>
 *  file header:      be32 magic 0x5145564d ("QEVM") | be32 version 3
 *  then items, each starting with a type byte:
 *
 *  0x07 configuration  | be32 length | machine type name (e.g. pc-i440fx-7.2) | [0x05 subsections]
 *  0x01 section start  | be32 section id | u8 length | id string | be32 instance id | be32 version id
 *                      | section data | [footer]
 *  0x04 section full   | (as section start: a device's whole state; its data has no length prefix)
 *  0x02 section part   | be32 section id | section data | [footer]
 *  0x03 section end    | be32 section id | section data | [footer]
 *  0x7e footer         | be32 section id                  (machine types of QEMU 2.4 on send it)
 *  0x08 command        | be16 command | be16 length | length bytes
 *  0x00 end of stream  |
 *  0x06 VM description | be32 length | JSON of every device section   (after end of stream)
 *
 *  subsection (inside a section's data):
 *  0x05 | u8 length | name | be32 version id | fields
 *
 *  The "ram" section (version 4): its start's data is MEM_SIZE (every block) and EOS; each part's and the
 *  end's data is page records up to EOS. It is the only iterative section of a plain guest, so every RAM
 *  record comes before the first section full.
 * </pre>
 */
public final class QemuStreamDescriptor
{
    /** File magic, "QEVM". */
    public static final int MAGIC = 0x5145564d;
    /** The only stream version (QEMU_VM_FILE_VERSION). */
    public static final int VERSION = 3;
    /** Length of the file header: magic and version. */
    public static final int HEADER_LENGTH = 8;

    /** Item: end of stream. */
    public static final int EOF = 0x00;
    /** Item: section start (an iterative section's setup). */
    public static final int SECTION_START = 0x01;
    /** Item: section part (an iterative section's iteration). */
    public static final int SECTION_PART = 0x02;
    /** Item: section end (an iterative section's completion). */
    public static final int SECTION_END = 0x03;
    /** Item: section full (a device's whole state). */
    public static final int SECTION_FULL = 0x04;
    /** Inside a section's data: a subsection. */
    public static final int SUBSECTION = 0x05;
    /** Item: the JSON description of the device sections, after the end of stream. */
    public static final int VM_DESCRIPTION = 0x06;
    /** Item: the configuration (machine type). */
    public static final int CONFIGURATION = 0x07;
    /** Item: a command (post-copy, return path, ...). */
    public static final int COMMAND = 0x08;
    /** Item: section footer. */
    public static final int FOOTER = 0x7e;

    /** The iterative section that carries RAM. */
    public static final String RAM_SECTION = "ram";
    /** The RAM section's version in QEMU 7.2 (and since 2.x). */
    public static final int RAM_VERSION = 4;

    /** Longest machine type name accepted in the configuration. */
    public static final int MAX_MACHINE_NAME = 256;
    /** Longest VM description accepted. */
    public static final int MAX_DESCRIPTION_BYTES = 64 << 20;

    /** The configuration's subsections livemig reads: name to the bytes of its one field. */
    static final Map<String, Integer> CONFIGURATION_SUBSECTIONS = Map.of(
        "configuration/target-page-bits", 4,
        "configuration/uuid", 16);
    /** The configuration's subsection of capabilities: be32 count, then each u8 length and name. */
    static final String CAPABILITIES_SUBSECTION = "configuration/capabilities";

    /** QEMU's commands (MIG_CMD_*): number to name. */
    static final Map<Integer, String> COMMANDS = Map.ofEntries(
        Map.entry(1, "OPEN_RETURN_PATH"),
        Map.entry(2, "PING"),
        Map.entry(3, "POSTCOPY_ADVISE"),
        Map.entry(4, "POSTCOPY_LISTEN"),
        Map.entry(5, "POSTCOPY_RUN"),
        Map.entry(6, "POSTCOPY_RAM_DISCARD"),
        Map.entry(7, "PACKAGED"),
        Map.entry(8, "RECV_BITMAP"),
        Map.entry(9, "POSTCOPY_RESUME"),
        Map.entry(10, "ENABLE_COLO"));
    /** The command that wraps a whole sub-stream (post-copy's device state): not read. */
    static final int COMMAND_PACKAGED = 7;

    private QemuStreamDescriptor()
    {
    }

    /** @return the name of item type {@code type} for messages, e.g. {@code "section part"}. */
    public static String itemName(final int type)
    {
        switch (type)
        {
            case EOF: return "end of stream";
            case SECTION_START: return "section start";
            case SECTION_PART: return "section part";
            case SECTION_END: return "section end";
            case SECTION_FULL: return "section full";
            case SUBSECTION: return "subsection";
            case VM_DESCRIPTION: return "VM description";
            case CONFIGURATION: return "configuration";
            case COMMAND: return "command";
            case FOOTER: return "section footer";
            default: return String.format("unknown item 0x%02x", type);
        }
    }
}
