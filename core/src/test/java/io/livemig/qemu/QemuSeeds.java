package io.livemig.qemu;

import io.livemig.qemu.stream.QemuStream;
import io.livemig.qemu.stream.QemuStreamDescriptor;
import io.livemig.qemu.stream.QemuStreamListener;
import io.livemig.qemu.stream.QemuStreamReader;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.RamBlocks;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Makes fuzz seeds of {@link QemuStreamFuzzTest} small from real QEMU streams of tens of MiB: {@link #thin}
 * keeps the stream's envelope as QEMU wrote it (header, configuration, the ram section's start, parts and end
 * with their footers), shrinks each RAM block to at most {@code maxBlockBytes} in MEM_SIZE, keeps per section
 * only the first few records of each kind, moved into that size (page number modulo the block's new pages: an
 * XBZRLE delta decodes onto any old page) and re-framed, so that CONTINUE still names the right block,
 * keeps the first bytes of the device state and the VM description's first devices. The result reads cleanly.
 * Stateless.
 */
final class QemuSeeds
{
    /** Records of each kind kept per RAM section: ZERO, PAGE, XBZRLE. */
    static final int[] KEEP = {48, 1, 6};
    /** Records of each kind kept in the whole stream: ZERO, PAGE, XBZRLE. */
    static final int[] TOTAL = {600, 6, 16};
    /** Device state bytes kept. */
    static final int DEVICE_BYTES = 256;
    /** Devices of the description kept. */
    static final int DEVICES = 3;

    private QemuSeeds()
    {
    }

    /** A RAM section as the reader met it: where it starts and what it is. */
    private record Section(int type, long offset, List<long[]> records)
    {
    }

    /** @return {@code stream} thinned to a seed; blocks of at most {@code maxBlockBytes}. */
    static byte[] thin(final byte[] stream, final long maxBlockBytes) throws IOException
    {
        final List<Section> sections = new ArrayList<>();
        final QemuStream read;
        final List<String> names = new ArrayList<>();
        final List<Long> sizes = new ArrayList<>();
        try (RamBlocks blocks = RamBlocks.learned(4096, 1L << 40))
        {
            final QemuStreamReader reader = new QemuStreamReader(BytesChannel.of(stream), blocks,
                PageStreamDialect.QEMU, 1 << 20);
            reader.setListener(new QemuStreamListener()
            {
                @Override
                public void onRamSection(final int index, final int type, final long offset)
                {
                    sections.add(new Section(type, offset, new ArrayList<>()));
                }

                @Override
                public void onPage(final int block, final long page, final PageKind kind, final int wireBytes,
                    final long offset)
                {
                    sections.get(sections.size() - 1).records().add(
                        new long[] {block, page, kind.ordinal(), wireBytes, offset});
                }
            });
            read = reader.read();
            for (int b = 0; b < blocks.count(); b++)
            {
                names.add(blocks.name(b));
                sizes.add(Math.min(blocks.usedLength(b), maxBlockBytes));
            }
        }
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final DataOutputStream out = new DataOutputStream(bytes);
        final ByteBuffer in = ByteBuffer.wrap(stream);
        final long id = read.ramSectionId();
        // Header, configuration and the ram section's start header as they are; then a new MEM_SIZE.
        final long memSize = sections.get(0).offset() + 1 + 4 + 1 + 3 + 4 + 4;
        out.write(stream, 0, (int)memSize);
        out.writeLong(sizes.stream().mapToLong(Long::longValue).sum() | 0x4);
        for (int b = 0; b < names.size(); b++)
        {
            out.writeByte(names.get(b).length());
            out.writeBytes(names.get(b));
            out.writeLong(sizes.get(b));
        }
        endSection(out, read, id);
        int last = -1;
        final int[] total = new int[3];
        for (final Section section : sections.subList(1, sections.size()))
        {
            out.writeByte(section.type());
            out.writeInt((int)id);
            final int[] kept = new int[3];
            for (final long[] r : section.records())
            {
                final int block = (int)r[0];
                final int kind = (int)r[2];
                final int k = kind == PageKind.ZERO.ordinal() ? 0 : kind == PageKind.NORMAL.ordinal() ? 1 : 2;
                if (kept[k] == KEEP[k] || total[k] == TOTAL[k])
                {
                    continue;
                }
                kept[k]++;
                total[k]++;
                final int start = (int)r[4];
                final long page = r[1] % (sizes.get(block) / 4096);
                final long header = in.getLong(start) & 0xFFF | page * 4096;
                final int payload = start + 8 + ((header & 0x20) != 0 ? 0 : 1 + (stream[start + 8] & 0xFF));
                if (block == last)
                {
                    out.writeLong(header | 0x20);
                }
                else
                {
                    out.writeLong(header & ~0x20L);
                    out.writeByte(names.get(block).length());
                    out.writeBytes(names.get(block));
                }
                out.write(stream, payload, start + (int)r[3] - payload);
                last = block;
            }
            endSection(out, read, id);
        }
        if (read.deviceOffset() >= 0)
        {
            out.write(stream, (int)read.deviceOffset(), (int)Math.min(DEVICE_BYTES, read.deviceStateBytes()));
        }
        out.writeByte(QemuStreamDescriptor.EOF);
        if (read.description() != null)
        {
            final ObjectMapper json = new ObjectMapper();
            final ObjectNode d = (ObjectNode)json.readTree(Arrays.copyOfRange(stream,
                (int)read.description().offset(), (int)read.description().offset() + read.description().length()));
            final ArrayNode devices = (ArrayNode)d.get("devices");
            while (devices.size() > DEVICES)
            {
                devices.remove(devices.size() - 1);
            }
            final byte[] text = json.writeValueAsString(d).getBytes(StandardCharsets.UTF_8);
            out.writeByte(QemuStreamDescriptor.VM_DESCRIPTION);
            out.writeInt(text.length);
            out.write(text);
        }
        return bytes.toByteArray();
    }

    private static void endSection(final DataOutputStream out, final QemuStream read, final long id) throws IOException
    {
        out.writeLong(0x10);
        if (read.footers())
        {
            out.writeByte(QemuStreamDescriptor.FOOTER);
            out.writeInt((int)id);
        }
    }
}
