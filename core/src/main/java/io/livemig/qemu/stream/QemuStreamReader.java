package io.livemig.qemu.stream;

import io.livemig.stream.ChannelInput;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.PageStreamException;
import io.livemig.stream.RamBlocks;
import io.livemig.stream.read.PageStreamReader;
import org.agrona.DirectBuffer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static io.livemig.qemu.stream.QemuStreamDescriptor.CAPABILITIES_SUBSECTION;
import static io.livemig.qemu.stream.QemuStreamDescriptor.COMMAND;
import static io.livemig.qemu.stream.QemuStreamDescriptor.COMMANDS;
import static io.livemig.qemu.stream.QemuStreamDescriptor.COMMAND_PACKAGED;
import static io.livemig.qemu.stream.QemuStreamDescriptor.CONFIGURATION;
import static io.livemig.qemu.stream.QemuStreamDescriptor.CONFIGURATION_SUBSECTIONS;
import static io.livemig.qemu.stream.QemuStreamDescriptor.EOF;
import static io.livemig.qemu.stream.QemuStreamDescriptor.FOOTER;
import static io.livemig.qemu.stream.QemuStreamDescriptor.MAGIC;
import static io.livemig.qemu.stream.QemuStreamDescriptor.MAX_DESCRIPTION_BYTES;
import static io.livemig.qemu.stream.QemuStreamDescriptor.MAX_MACHINE_NAME;
import static io.livemig.qemu.stream.QemuStreamDescriptor.RAM_SECTION;
import static io.livemig.qemu.stream.QemuStreamDescriptor.RAM_VERSION;
import static io.livemig.qemu.stream.QemuStreamDescriptor.SECTION_END;
import static io.livemig.qemu.stream.QemuStreamDescriptor.SECTION_FULL;
import static io.livemig.qemu.stream.QemuStreamDescriptor.SECTION_PART;
import static io.livemig.qemu.stream.QemuStreamDescriptor.SECTION_START;
import static io.livemig.qemu.stream.QemuStreamDescriptor.SUBSECTION;
import static io.livemig.qemu.stream.QemuStreamDescriptor.VERSION;
import static io.livemig.qemu.stream.QemuStreamDescriptor.VM_DESCRIPTION;

/**
 * Reads a QEMU migration stream ({@code qemu-stream.md}; layout in {@link QemuStreamDescriptor}): the header,
 * the configuration, the {@code ram} section's start, parts and end with their footers, and commands, up to
 * the first device section; then, from the end of the file, the end of stream and the VM description after it.
 * The RAM section's records go to livemig's own {@link PageStreamReader} in its {@linkplain
 * PageStreamDialect#QEMU QEMU dialect}, which applies them to the blocks of a {@link RamBlocks} table (XBZRLE
 * onto the page as the destination holds it): one record parser for both formats.
 *
 * <p>A device section's data has no length, so nothing after the first one is parsed: the device state is
 * the bytes from it to the end of stream (0x00), which is found from the end of the file. QEMU writes the VM
 * description after it, and the description is JSON, which holds no byte 0x00: so the last 0x00 of a whole
 * stream is its end of stream, followed by exactly {@code 0x06, be32 length, JSON} up to the end of the file,
 * and the JSON's first device is the stream's first device section. A stream with device state must end so
 * (a stream cut short does not); one without device sections may end right after its end of stream. (QEMU's
 * {@code suppress-vmdesc} machine option, which drops the description, is therefore refused.)
 *
 * <p>Every byte is untrusted: whatever is malformed, truncated or unknown ends the read in a {@link
 * PageStreamException} that names the stream offset and the reason, in one line. Lengths are checked
 * against the bytes that remain before they size anything.
 *
 * <p>Not thread-safe: one thread reads, once.
 */
public final class QemuStreamReader
{
    private static final int FOOTERS_UNKNOWN = 0;
    private static final int FOOTERS_ON = 1;
    private static final int FOOTERS_OFF = 2;

    private final SeekableByteChannel channel;
    private final StreamTail tail;
    private final ChannelInput in;
    private final PageStreamReader pages;
    private QemuStreamListener listener = QemuStreamListener.NONE;

    private String machine;
    private final List<String> subsections = new ArrayList<>();
    private final Map<String, Long> commands = new TreeMap<>();
    private boolean sectionSeen;
    private long ramId = -1;
    private boolean ramEnded;
    private int ramSections;
    private int footers = FOOTERS_UNKNOWN;
    private boolean read;

    /**
     * @param channel     the stream, a file (the end is read by seeking); read from position 0.
     * @param blocks      where RAM goes: usually {@link RamBlocks#learned} within a limit.
     * @param dialect     {@link PageStreamDialect#QEMU}, or it {@linkplain PageStreamDialect#withBlockAddresses()
     *                    with block addresses} for a stream of QEMU's {@code x-ignore-shared}.
     * @param bufferBytes the input buffer, at least {@link PageStreamReader#requiredBufferBytes} of the page size.
     * @throws IOException if the channel cannot be positioned.
     */
    public QemuStreamReader(final SeekableByteChannel channel, final RamBlocks blocks, final PageStreamDialect dialect,
        final int bufferBytes) throws IOException
    {
        if (!dialect.isQemu())
        {
            throw new IllegalArgumentException("a QEMU stream's RAM is read in a QEMU dialect, not " + dialect);
        }
        this.channel = channel;
        this.tail = new StreamTail(channel);
        channel.position(0);
        this.in = new ChannelInput(channel, bufferBytes);
        this.pages = new PageStreamReader(in, blocks, dialect);
        pages.setListener((page, kind, wireBytes, offset) ->
            listener.onPage(pages.block(), page, kind, wireBytes, offset));
    }

    /**
     * @return whether the channel starts with QEMU's magic ("QEVM"); reads its first 4 bytes and leaves it at
     *         position 0.
     */
    public static boolean hasMagic(final SeekableByteChannel channel) throws IOException
    {
        final ByteBuffer magic = ByteBuffer.allocate(Integer.BYTES);
        channel.position(0);
        while (magic.hasRemaining() && channel.read(magic) > 0)
        {
            // a file gives what it has
        }
        channel.position(0);
        return !magic.hasRemaining() && magic.getInt(0) == MAGIC;
    }

    /** Sets who hears of each RAM section and page; null for nobody. */
    public void setListener(final QemuStreamListener listener)
    {
        this.listener = listener == null ? QemuStreamListener.NONE : listener;
    }

    /** @return the RAM record reader, for its {@linkplain PageStreamReader#stats() counters} and blocks. */
    public PageStreamReader pages()
    {
        return pages;
    }

    /**
     * Reads the stream.
     *
     * @return what the envelope holds.
     * @throws PageStreamException   if any of it is malformed, truncated or unknown, or the channel fails.
     * @throws IllegalStateException if called twice.
     */
    public QemuStream read() throws PageStreamException
    {
        if (read)
        {
            throw new IllegalStateException("the stream has been read");
        }
        read = true;
        header();
        while (true)
        {
            final long start = in.position();
            in.markRecord();
            if (in.atEnd())
            {
                throw new PageStreamException(start, "stream ends before its end of stream (0x00)" +
                    (ramId >= 0 && !ramEnded ? ", inside the RAM migration" : ""));
            }
            final int type = in.readUnsignedByte();
            switch (type)
            {
                case CONFIGURATION:
                    configuration(start);
                    break;
                case SECTION_START:
                case SECTION_FULL:
                {
                    final long id = in.readInt() & 0xFFFF_FFFFL;
                    final String name = sectionName(start);
                    final long instance = in.readInt() & 0xFFFF_FFFFL;
                    final long version = in.readInt() & 0xFFFF_FFFFL;
                    sectionSeen = true;
                    if (!RAM_SECTION.equals(name))
                    {
                        if (type == SECTION_START)
                        {
                            throw new PageStreamException(start, "iterative section \"" + name + "\" (id " + id +
                                "): livemig reads no iterative section but \"ram\"");
                        }
                        if (ramId < 0 || !ramEnded)
                        {
                            throw new PageStreamException(start, "device section \"" + name + "\" before the RAM " +
                                "section " + (ramId < 0 ? "began" : "ended"));
                        }
                        return finish(start, instance == 0 ? name : name + " #" + instance, name, instance);
                    }
                    ramStart(start, type, id, version);
                    break;
                }
                case SECTION_PART:
                case SECTION_END:
                    ramIteration(start, type);
                    break;
                case COMMAND:
                    command(start);
                    break;
                case EOF:
                    if (ramId >= 0 && !ramEnded)
                    {
                        throw new PageStreamException(start, "end of stream inside the RAM migration (no section " +
                            "end of \"ram\")");
                    }
                    return finishAtEof(start);
                case VM_DESCRIPTION:
                    throw new PageStreamException(start, "VM description before the end of stream");
                case FOOTER:
                    throw new PageStreamException(start, "section footer outside a section");
                case SUBSECTION:
                    throw new PageStreamException(start, "subsection outside a section");
                default:
                    throw new PageStreamException(start, String.format("unknown item type 0x%02x", type));
            }
        }
    }

    private void header() throws PageStreamException
    {
        in.markRecord();
        if (in.atEnd())
        {
            throw new PageStreamException(0, "stream is empty: expected QEMU's header (\"QEVM\", version 3)");
        }
        final int magic = in.readInt();
        if (magic != MAGIC)
        {
            throw new PageStreamException(0, String.format("not a QEMU migration stream: magic 0x%08x, expected " +
                "0x%08x (\"QEVM\")", magic, MAGIC));
        }
        final int version = in.readInt();
        if (version != VERSION)
        {
            throw new PageStreamException(4, "QEMU stream version " + Integer.toUnsignedString(version) +
                ": only version " + VERSION + " exists");
        }
    }

    private void configuration(final long start) throws PageStreamException
    {
        if (machine != null || sectionSeen)
        {
            throw new PageStreamException(start, machine != null ? "a second configuration" :
                "configuration after the first section");
        }
        final int length = in.readInt();
        if (length <= 0 || length > MAX_MACHINE_NAME)
        {
            throw new PageStreamException(start, "configuration: machine type name of " +
                Integer.toUnsignedString(length) + " bytes (1 to " + MAX_MACHINE_NAME + ")");
        }
        machine = ascii(start, length, "configuration: machine type name");
        while (peek() == SUBSECTION)
        {
            final long at = in.position();
            in.markRecord();
            in.skip(1);
            final int nameLength = in.readUnsignedByte();
            final String name = nameLength == 0 ? "" : ascii(at, nameLength, "configuration subsection name");
            in.readInt(); // its version id: each layout below is the same in every version QEMU wrote
            final Integer fieldBytes = CONFIGURATION_SUBSECTIONS.get(name);
            if (fieldBytes != null)
            {
                skipBytes(fieldBytes);
            }
            else if (CAPABILITIES_SUBSECTION.equals(name))
            {
                final long count = in.readInt() & 0xFFFF_FFFFL;
                for (long i = 0; i < count; i++)
                {
                    skipBytes(in.readUnsignedByte());
                }
            }
            else
            {
                throw new PageStreamException(at, "configuration subsection \"" + name + "\": livemig does not " +
                    "know its fields");
            }
            subsections.add(name);
        }
    }

    /** @return the next byte without consuming it, or -1 at the end of the stream. */
    private int peek() throws PageStreamException
    {
        if (in.atEnd())
        {
            return -1;
        }
        final int at = in.require(1);
        return in.buffer().getByte(at) & 0xFF;
    }

    /** Reads a section's id string: {@code u8} length (1 to 255) and that many printable ASCII bytes. */
    private String sectionName(final long start) throws PageStreamException
    {
        final int length = in.readUnsignedByte();
        if (length == 0)
        {
            throw new PageStreamException(start, "section id string of length 0");
        }
        return ascii(start, length, "section id string");
    }

    /** Reads {@code length} bytes (at most the input buffer) that must be printable ASCII. */
    private String ascii(final long start, final int length, final String what) throws PageStreamException
    {
        final int at = in.require(length);
        final DirectBuffer buffer = in.buffer();
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            final byte b = buffer.getByte(at + i);
            if (b < 0x20 || b >= 0x7f)
            {
                throw new PageStreamException(start, what + " has the byte 0x" + Integer.toHexString(b & 0xFF) +
                    " at " + i + ": not printable ASCII");
            }
            bytes[i] = b;
        }
        in.skip(length);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private void ramStart(final long start, final int type, final long id, final long version)
        throws PageStreamException
    {
        if (type == SECTION_FULL)
        {
            throw new PageStreamException(start, "the \"ram\" section as a section full: it is iterative");
        }
        if (ramId >= 0)
        {
            throw new PageStreamException(start, "a second start of the \"ram\" section (id " + id + ")");
        }
        if (version != RAM_VERSION)
        {
            throw new PageStreamException(start, "\"ram\" section version " + version + ": livemig reads version " +
                RAM_VERSION);
        }
        ramId = id;
        listener.onRamSection(ramSections, type, start);
        pages.readMemSize();
        ramData(start, id);
    }

    private void ramIteration(final long start, final int type) throws PageStreamException
    {
        final long id = in.readInt() & 0xFFFF_FFFFL;
        if (ramId < 0 || ramEnded || id != ramId)
        {
            throw new PageStreamException(start, QemuStreamDescriptor.itemName(type) + " of section id " + id +
                (ramId < 0 ? " before any section start" : ramEnded ? " after the end of the \"ram\" section" :
                    ", but the open iterative section is \"ram\" (id " + ramId + ")"));
        }
        listener.onRamSection(ramSections, type, start);
        ramData(start, id);
        if (type == SECTION_END)
        {
            ramEnded = true;
        }
    }

    /** The RAM records of one section, up to its EOS, then the footer. */
    private void ramData(final long start, final long id) throws PageStreamException
    {
        if (pages.readIteration() < 0)
        {
            throw new PageStreamException(in.position(), "stream ends before the data of the RAM section at offset " +
                start);
        }
        ramSections++;
        footer(id);
    }

    private void footer(final long id) throws PageStreamException
    {
        final long start = in.position();
        in.markRecord();
        final int next = peek();
        if (footers == FOOTERS_UNKNOWN)
        {
            footers = next == FOOTER ? FOOTERS_ON : FOOTERS_OFF;
        }
        if (footers == FOOTERS_OFF)
        {
            return;
        }
        if (next != FOOTER)
        {
            throw new PageStreamException(start, "expected the footer (0x7e) of section " + id + ", found " +
                (next < 0 ? "the end of the stream" : String.format("0x%02x", next)));
        }
        in.skip(1);
        final long footerId = in.readInt() & 0xFFFF_FFFFL;
        if (footerId != id)
        {
            throw new PageStreamException(start, "footer of section " + footerId + " after the data of section " + id);
        }
    }

    private void command(final long start) throws PageStreamException
    {
        final int command = in.readUnsignedShort();
        final int length = in.readUnsignedShort();
        final String name = COMMANDS.get(command);
        if (name == null)
        {
            throw new PageStreamException(start, "unknown command " + command);
        }
        if (command == COMMAND_PACKAGED)
        {
            throw new PageStreamException(start, "command PACKAGED (post-copy's packaged device state): not read");
        }
        skipBytes(length);
        commands.merge(name, 1L, Long::sum);
    }

    private void skipBytes(final int length) throws PageStreamException
    {
        int left = length;
        while (left > 0)
        {
            final int chunk = Math.min(left, in.capacity());
            in.require(chunk);
            in.skip(chunk);
            left -= chunk;
        }
    }

    /** After the end of stream with no device section: nothing, or the VM description to the end of the file. */
    private QemuStream finishAtEof(final long eof) throws PageStreamException
    {
        final long start = in.position();
        in.markRecord();
        final int next = peek();
        VmDescription description = null;
        if (next >= 0)
        {
            if (next != VM_DESCRIPTION)
            {
                throw new PageStreamException(start, String.format("0x%02x after the end of stream, where only a " +
                    "VM description (0x06) may follow", next));
            }
            in.skip(1);
            final long length = in.readInt() & 0xFFFF_FFFFL;
            final long left = tail.size(start) - in.position();
            if (length == 0 || length > MAX_DESCRIPTION_BYTES || length != left)
            {
                throw new PageStreamException(start, "VM description of " + length + " bytes, but " + left +
                    " bytes follow (a description of 1 to " + MAX_DESCRIPTION_BYTES + " bytes ends the stream)");
            }
            final byte[] json = new byte[(int)length];
            final long at = in.position();
            for (int i = 0; i < json.length; i++)
            {
                json[i] = in.readByte();
            }
            description = VmDescription.parse(json, at);
        }
        return stream(-1, null, eof, description);
    }

    /**
     * At the first device section: finds the end of stream from the end of the file, and reads the VM
     * description after it.
     */
    private QemuStream finish(final long deviceOffset, final String firstDevice, final String name,
        final long instance) throws PageStreamException
    {
        final StreamTail.End end = tail.find(deviceOffset);
        final long eof = end.eof();
        final VmDescription description = end.description();
        final List<VmDescription.Device> devices = description.devices();
        if (devices.isEmpty() || !devices.get(0).name().equals(name) || devices.get(0).instanceId() != instance)
        {
            throw new PageStreamException(deviceOffset, "the stream's first device section is \"" + firstDevice +
                "\", the VM description's first device is " +
                (devices.isEmpty() ? "none" : "\"" + devices.get(0) + "\""));
        }
        return stream(deviceOffset, firstDevice, eof, description);
    }

    private QemuStream stream(final long deviceOffset, final String firstDevice, final long eof,
        final VmDescription description) throws PageStreamException
    {
        final int pageSize = pages.blocks().pageSize();
        if (description != null && description.pageSize() >= 0 && description.pageSize() != pageSize)
        {
            throw new PageStreamException(description.offset(), "VM description says the target page size is " +
                description.pageSize() + "; the RAM was read in pages of " + pageSize);
        }
        return new QemuStream(tail.size(eof), machine, List.copyOf(subsections), ramId, ramSections,
            footers == FOOTERS_ON, Map.copyOf(commands), deviceOffset, firstDevice, eof, description);
    }
}
