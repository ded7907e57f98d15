package io.livemig.qemu;

import io.livemig.BigEndianBytes;
import io.livemig.qemu.stream.QemuStreamDescriptor;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Test builder of hand-made QEMU migration streams (big-endian, as qemu-stream.md and {@link
 * QemuStreamDescriptor} lay them out): the envelope items and the RAM records inside the ram section.
 */
final class QemuStreamBuilder extends BigEndianBytes<QemuStreamBuilder>
{
    @Override
    protected QemuStreamBuilder self()
    {
        return this;
    }

    static final int PAGE = 4096;
    static final int ZERO = 0x2;
    static final int MEM_SIZE = 0x4;
    static final int RAW = 0x8;
    static final int EOS = 0x10;
    static final int CONTINUE = 0x20;
    static final int XBZRLE = 0x40;
    static final int MULTIFD_FLUSH = 0x200;

    /** Header and configuration {@code pc-i440fx-7.2}. */
    static QemuStreamBuilder standard()
    {
        return new QemuStreamBuilder().header().configuration("pc-i440fx-7.2");
    }

    QemuStreamBuilder header()
    {
        return u32(QemuStreamDescriptor.MAGIC).u32(QemuStreamDescriptor.VERSION);
    }

    QemuStreamBuilder configuration(final String machine)
    {
        return u8(QemuStreamDescriptor.CONFIGURATION).u32(machine.length()).ascii(machine);
    }

    QemuStreamBuilder subsection(final String name, final int version)
    {
        return u8(QemuStreamDescriptor.SUBSECTION).u8(name.length()).ascii(name).u32(version);
    }

    /** A section start or full header. */
    QemuStreamBuilder section(final int type, final int id, final String name, final int instance, final int version)
    {
        return u8(type).u32(id).u8(name.length()).ascii(name).u32(instance).u32(version);
    }

    /** The ram section's start with MEM_SIZE of {@code blocks} (name, size, name, size, ...) and EOS, footer. */
    QemuStreamBuilder ramStart(final int id, final Object... blocks)
    {
        section(QemuStreamDescriptor.SECTION_START, id, "ram", 0, 4);
        return memSize(blocks).eos().footer(id);
    }

    QemuStreamBuilder memSize(final Object... blocks)
    {
        long total = 0;
        for (int i = 0; i < blocks.length; i += 2)
        {
            total += ((Number)blocks[i + 1]).longValue();
        }
        u64(total | MEM_SIZE);
        for (int i = 0; i < blocks.length; i += 2)
        {
            name((String)blocks[i]).u64(((Number)blocks[i + 1]).longValue());
        }
        return this;
    }

    QemuStreamBuilder part(final int id)
    {
        return u8(QemuStreamDescriptor.SECTION_PART).u32(id);
    }

    QemuStreamBuilder end(final int id)
    {
        return u8(QemuStreamDescriptor.SECTION_END).u32(id);
    }

    QemuStreamBuilder footer(final int id)
    {
        return u8(QemuStreamDescriptor.FOOTER).u32(id);
    }

    QemuStreamBuilder name(final String name)
    {
        return u8(name.length()).ascii(name);
    }

    /** A record header word, and the block name unless {@code block} is null (CONTINUE is then set). */
    QemuStreamBuilder record(final String block, final long offset, final int flags)
    {
        if (block == null)
        {
            return u64(offset | flags | CONTINUE);
        }
        return u64(offset | flags).name(block);
    }

    QemuStreamBuilder zero(final String block, final long offset)
    {
        return record(block, offset, ZERO).u8(0);
    }

    QemuStreamBuilder page(final String block, final long offset, final byte[] page)
    {
        return record(block, offset, RAW).raw(page);
    }

    QemuStreamBuilder page(final String block, final long offset, final int fill)
    {
        final byte[] page = new byte[PAGE];
        Arrays.fill(page, (byte)fill);
        return page(block, offset, page);
    }

    QemuStreamBuilder xbzrle(final String block, final long offset, final byte[] delta)
    {
        return record(block, offset, XBZRLE).u8(1).u16(delta.length).raw(delta);
    }

    QemuStreamBuilder eos()
    {
        return u64(EOS);
    }

    QemuStreamBuilder command(final int command, final byte[] payload)
    {
        return u8(QemuStreamDescriptor.COMMAND).u16(command).u16(payload.length).raw(payload);
    }

    /** A device's section full with {@code state} bytes of data and a footer. */
    QemuStreamBuilder device(final int id, final String name, final int instance, final byte[] state)
    {
        return section(QemuStreamDescriptor.SECTION_FULL, id, name, instance, 1).raw(state).footer(id);
    }

    QemuStreamBuilder eof()
    {
        return u8(QemuStreamDescriptor.EOF);
    }

    /** The VM description item: 0x06, length, and the JSON of {@code devices} (name, instance, ...). */
    QemuStreamBuilder description(final Object... devices)
    {
        return descriptionJson(json(devices));
    }

    QemuStreamBuilder descriptionJson(final String json)
    {
        final byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return u8(QemuStreamDescriptor.VM_DESCRIPTION).u32(bytes.length).raw(bytes);
    }

    static String json(final Object... devices)
    {
        final StringBuilder sb = new StringBuilder("{\"page_size\": 4096, \"devices\": [");
        for (int i = 0; i < devices.length; i += 2)
        {
            sb.append(i == 0 ? "" : ", ").append("{\"name\": \"").append(devices[i]).append("\", \"instance_id\": ")
                .append(devices[i + 1]).append(", \"vmsd_name\": \"x\", \"version\": 1, \"fields\": [{\"name\": " +
                    "\"a\", \"type\": \"uint32\", \"size\": 4}]}");
        }
        return sb.append("]}").toString();
    }

}
