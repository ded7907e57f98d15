package io.livemig.qemu.guest;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPOutputStream;

/**
 * Writes a gzip-compressed cpio archive in the "newc" format, the format of a Linux initramfs: each entry is a
 * 110-byte ASCII header ({@code 070701} and 13 fields of 8 hex digits: inode, mode, uid, gid, links, mtime, file
 * size, device major and minor, the special file's major and minor, name size with its NUL, checksum 0), the
 * name and its NUL padded to 4 bytes, then the data padded to 4 bytes; the archive ends with the entry {@code
 * TRAILER!!!}. Entries are owned by root, dated 0, so that the same inputs give the same bytes.
 *
 * <p>Not thread-safe; one archive per instance.
 */
final class CpioNewc implements AutoCloseable
{
    private static final int DIRECTORY = 0040000;
    private static final int FILE = 0100000;
    private static final int CHARACTER = 0020000;

    private final OutputStream out;
    private int inode = 1;
    private long written;

    CpioNewc(final OutputStream out) throws IOException
    {
        this.out = new GZIPOutputStream(out);
    }

    /** Adds a directory. */
    CpioNewc directory(final String name) throws IOException
    {
        return entry(name, DIRECTORY | 0755, 2, 0, 0, new byte[0]);
    }

    /** Adds a regular file with permissions {@code permissions} (e.g. 0755). */
    CpioNewc file(final String name, final int permissions, final byte[] data) throws IOException
    {
        return entry(name, FILE | permissions, 1, 0, 0, data);
    }

    /** Adds a character device node. */
    CpioNewc characterDevice(final String name, final int major, final int minor) throws IOException
    {
        return entry(name, CHARACTER | 0600, 1, major, minor, new byte[0]);
    }

    private CpioNewc entry(final String name, final int mode, final int links, final int major, final int minor,
        final byte[] data) throws IOException
    {
        final byte[] nameBytes = (name + "\0").getBytes(StandardCharsets.US_ASCII);
        final StringBuilder header = new StringBuilder("070701");
        for (final long field : new long[] {inode++, mode, 0, 0, links, 0, data.length, 0, 0, major, minor,
            nameBytes.length, 0})
        {
            header.append(String.format("%08x", field));
        }
        write(header.toString().getBytes(StandardCharsets.US_ASCII));
        write(nameBytes);
        pad();
        write(data);
        pad();
        return this;
    }

    private void write(final byte[] bytes) throws IOException
    {
        out.write(bytes);
        written += bytes.length;
    }

    private void pad() throws IOException
    {
        while ((written & 3) != 0)
        {
            out.write(0);
            written++;
        }
    }

    /** Writes the trailer and finishes the gzip stream (the underlying stream is closed). */
    @Override
    public void close() throws IOException
    {
        entry("TRAILER!!!", 0, 1, 0, 0, new byte[0]);
        out.close();
    }
}
