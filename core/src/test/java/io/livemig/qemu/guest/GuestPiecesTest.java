package io.livemig.qemu.guest;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pieces of a guest that need no QEMU: the initramfs archive, the counter guest's image, the init script. */
class GuestPiecesTest
{
    /** One entry read back from a newc archive: name, mode, data, device numbers. */
    record Entry(String name, int mode, byte[] data, int rdevMajor, int rdevMinor)
    {
    }

    static List<Entry> parse(final byte[] gzipped) throws IOException
    {
        final byte[] bytes = new GZIPInputStream(new ByteArrayInputStream(gzipped)).readAllBytes();
        final List<Entry> entries = new ArrayList<>();
        int at = 0;
        while (true)
        {
            final String header = new String(bytes, at, 110, StandardCharsets.US_ASCII);
            assertEquals("070701", header.substring(0, 6), "magic at " + at);
            final int[] f = new int[13];
            for (int i = 0; i < 13; i++)
            {
                f[i] = Integer.parseUnsignedInt(header.substring(6 + 8 * i, 14 + 8 * i), 16);
            }
            final String name = new String(bytes, at + 110, f[11] - 1, StandardCharsets.US_ASCII);
            assertEquals(0, bytes[at + 110 + f[11] - 1], "name's NUL");
            at = (at + 110 + f[11] + 3) & ~3;
            final byte[] data = java.util.Arrays.copyOfRange(bytes, at, at + f[6]);
            at = (at + f[6] + 3) & ~3;
            if (name.equals("TRAILER!!!"))
            {
                assertEquals(bytes.length, at, "nothing after the trailer");
                return entries;
            }
            entries.add(new Entry(name, f[1], data, f[9], f[10]));
        }
    }

    private static byte[] sample() throws IOException
    {
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (CpioNewc cpio = new CpioNewc(out))
        {
            cpio.directory("bin").characterDevice("dev/console", 5, 1).file("init", 0755, "#!x\n".getBytes(
                StandardCharsets.US_ASCII)).file("bin/odd", 0644, new byte[] {1, 2, 3, 4, 5});
        }
        return out.toByteArray();
    }

    @Test
    void initramfsIsANewcArchive() throws IOException
    {
        final byte[] archive = sample();
        final List<Entry> entries = parse(archive);
        assertEquals(List.of("bin", "dev/console", "init", "bin/odd"), entries.stream().map(Entry::name).toList());
        assertEquals(0040755, entries.get(0).mode());
        assertEquals(0020600, entries.get(1).mode());
        assertEquals(5, entries.get(1).rdevMajor());
        assertEquals(1, entries.get(1).rdevMinor());
        assertEquals(0100755, entries.get(2).mode());
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5}, entries.get(3).data());
        assertArrayEquals(archive, sample(), "the same inputs give the same bytes");
    }

    @Test
    void counterImageHasAValidMultibootHeader()
    {
        final byte[] image = CounterGuestImage.build(1024);
        final ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(0x1BADB002, b.getInt(0));
        assertEquals(0x00010000, b.getInt(4));
        assertEquals(0, b.getInt(0) + b.getInt(4) + b.getInt(8), "checksum");
        assertEquals(CounterGuestImage.LOAD_ADDRESS, b.getInt(12));
        assertEquals(CounterGuestImage.LOAD_ADDRESS, b.getInt(16));
        assertEquals(CounterGuestImage.LOAD_ADDRESS + 32, b.getInt(28));
        final String text = new String(image, StandardCharsets.ISO_8859_1);
        assertTrue(text.contains(CounterGuestImage.READY + "\n\0"));
        assertTrue(text.contains(CounterGuestImage.STOPPED + "\n\0"));
        // cmp edi, end: the range's end is in the code
        final int end = CounterGuestImage.FIRST_ADDRESS + 1024 * 4096;
        assertTrue(text.contains(new String(new byte[] {(byte)0x81, (byte)0xFF, (byte)end, (byte)(end >> 8),
            (byte)(end >> 16), (byte)(end >> 24)}, StandardCharsets.ISO_8859_1)));
        assertThrows(IllegalArgumentException.class, () -> CounterGuestImage.build(0));
    }

    @Test
    void initScriptReadsItsWorkloadAndStops()
    {
        final String script = GuestInit.script();
        assertTrue(script.startsWith("#!/bin/busybox sh\n"));
        assertTrue(script.contains("livemig.workload="));
        assertTrue(script.contains("echo \"" + GuestInit.READY + " $workload\""));
        assertTrue(script.contains("stop) touch /tmp/stop"));
        assertEquals(GuestKind.MIX, GuestKind.parse("mix"));
        assertThrows(IllegalArgumentException.class, () -> GuestKind.parse("windows"));
    }
}
