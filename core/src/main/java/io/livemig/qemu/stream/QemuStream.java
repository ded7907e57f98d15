package io.livemig.qemu.stream;

import java.util.List;
import java.util.Map;

/**
 * What a {@link QemuStreamReader} found in a QEMU migration stream's envelope. Immutable; thread-safe.
 *
 * @param bytes          the stream's length.
 * @param machine        the machine type of the configuration, e.g. {@code pc-i440fx-7.2}; null if the stream
 *                       had no configuration.
 * @param subsections    the configuration's subsections, by name.
 * @param ramSectionId   the section id of {@code ram}, or -1 if there was no RAM section.
 * @param ramSections    RAM sections read: the start, the parts and the end.
 * @param footers        whether sections carry footers.
 * @param commands       commands read, by name, with their counts.
 * @param deviceOffset   offset of the first device section (section full), or -1 if there was none.
 * @param firstDevice    that section's id string, or null.
 * @param endOfStream    offset of the end-of-stream byte (0x00).
 * @param description    the VM description after the end of stream, or null if the stream has none.
 */
public record QemuStream(long bytes, String machine, List<String> subsections, long ramSectionId, int ramSections,
                         boolean footers, Map<String, Long> commands, long deviceOffset, String firstDevice,
                         long endOfStream, VmDescription description)
{
    /** @return bytes of device state: from the first device section to the end of stream. */
    public long deviceStateBytes()
    {
        return deviceOffset < 0 ? 0 : endOfStream - deviceOffset;
    }
}
