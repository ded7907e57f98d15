package io.livemig.qemu.guest;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The counter guest, written as bytes: a multiboot kernel (QEMU's {@code -kernel} loads it, in 32-bit protected
 * mode without paging, interrupts off) that, like QEMU's own migration test guest, increments the first byte of
 * every page of a range in a loop, for ever. After each pass over the range it polls the serial port (COM1,
 * 0x3F8): a received {@code s} makes it print {@value #STOPPED} and halt, so that a test can have it stop
 * writing before a migration; it prints {@value #READY} when it starts. No compiler is needed: the few
 * instructions are assembled here (each line below is one instruction, its encoding in the comment).
 *
 * <p>The image: the multiboot header (magic 0x1BADB002, flags with bit 16 set so that the load addresses are
 * in the header, checksum, header, load and entry addresses) at its start, loaded at 1 MiB; the code after it;
 * the two messages at the end. Stateless; thread-safe.
 */
public final class CounterGuestImage
{
    /** The line the guest prints when it starts. */
    public static final String READY = "LIVEMIG-READY counter";
    /** The line the guest prints when it stopped writing. */
    public static final String STOPPED = "LIVEMIG-STOPPED";
    /** Where the image is loaded. */
    public static final int LOAD_ADDRESS = 0x100000;
    /** The first page written: 2 MiB, above the image and what the multiboot loader puts after it. */
    public static final int FIRST_ADDRESS = 0x200000;

    private static final int MULTIBOOT_MAGIC = 0x1BADB002;
    private static final int MULTIBOOT_ADDRESSES = 0x00010000;
    private static final int HEADER_LENGTH = 32;
    private static final int COM1 = 0x3F8;
    private static final int COM1_LSR = COM1 + 5;

    private CounterGuestImage()
    {
    }

    /**
     * @param pages how many pages the guest writes, from {@link #FIRST_ADDRESS}.
     * @return the multiboot image.
     * @throws IllegalArgumentException if {@code pages} is not positive or the range passes 3 GiB.
     */
    public static byte[] build(final int pages)
    {
        final long end = FIRST_ADDRESS + (long)pages * 4096;
        if (pages <= 0 || end > 0xC000_0000L)
        {
            throw new IllegalArgumentException("the counter guest writes 1 to " + ((0xC000_0000L - FIRST_ADDRESS) / 4096) +
                " pages, not " + pages);
        }
        final Code c = new Code(LOAD_ADDRESS + HEADER_LENGTH);
        c.movEsi("ready");
        print(c, "1");
        c.label("pass");
        c.bytes(0xBF).imm32(FIRST_ADDRESS);            // mov edi, FIRST_ADDRESS
        c.label("page");
        c.bytes(0xFE, 0x07);                           // inc byte [edi]
        c.bytes(0x81, 0xC7).imm32(4096);               // add edi, 4096
        c.bytes(0x81, 0xFF).imm32((int)end);           // cmp edi, end
        c.jump(0x72, "page");                          // jb page
        c.bytes(0x66, 0xBA).imm16(COM1_LSR);           // mov dx, COM1 line status
        c.bytes(0xEC);                                 // in al, dx
        c.bytes(0xA8, 0x01);                           // test al, 1 (data ready)
        c.jump(0x74, "pass");                          // jz pass
        c.bytes(0x66, 0xBA).imm16(COM1);               // mov dx, COM1
        c.bytes(0xEC);                                 // in al, dx
        c.bytes(0x3C, 's');                            // cmp al, 's'
        c.jump(0x75, "pass");                          // jne pass
        c.movEsi("stopped");
        print(c, "2");
        c.label("halt");
        c.bytes(0xFA);                                 // cli
        c.bytes(0xF4);                                 // hlt
        c.jump(0xEB, "halt");                          // jmp halt
        c.label("ready");
        c.ascii(READY + "\n\0");
        c.label("stopped");
        c.ascii(STOPPED + "\n\0");
        final byte[] code = c.assemble();

        final ByteBuffer image = ByteBuffer.allocate(HEADER_LENGTH + code.length).order(ByteOrder.LITTLE_ENDIAN);
        image.putInt(MULTIBOOT_MAGIC).putInt(MULTIBOOT_ADDRESSES).putInt(-(MULTIBOOT_MAGIC + MULTIBOOT_ADDRESSES));
        image.putInt(LOAD_ADDRESS);                              // header_addr
        image.putInt(LOAD_ADDRESS);                              // load_addr
        image.putInt(0);                                         // load_end_addr: the whole file
        image.putInt(0);                                         // bss_end_addr: none
        image.putInt(LOAD_ADDRESS + HEADER_LENGTH);              // entry_addr
        image.put(code);
        return image.array();
    }

    /** Prints the NUL-terminated string at esi on COM1, waiting for the transmitter before each byte. */
    private static void print(final Code c, final String id)
    {
        c.label("print" + id);
        c.bytes(0xAC);                                 // lodsb
        c.bytes(0x84, 0xC0);                           // test al, al
        c.jump(0x74, "printed" + id);                  // jz printed
        c.bytes(0x88, 0xC4);                           // mov ah, al
        c.label("wait" + id);
        c.bytes(0x66, 0xBA).imm16(COM1_LSR);           // mov dx, COM1 line status
        c.bytes(0xEC);                                 // in al, dx
        c.bytes(0xA8, 0x20);                           // test al, 0x20 (transmitter empty)
        c.jump(0x74, "wait" + id);                     // jz wait
        c.bytes(0x88, 0xE0);                           // mov al, ah
        c.bytes(0x66, 0xBA).imm16(COM1);               // mov dx, COM1
        c.bytes(0xEE);                                 // out dx, al
        c.jump(0xEB, "print" + id);                    // jmp print
        c.label("printed" + id);
    }

    /** A one-pass assembler of the few forms used: bytes, immediates, labels, short jumps, label addresses. */
    private static final class Code
    {
        private final int origin;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Map<String, Integer> labels = new HashMap<>();
        /** Fix-ups: position of the byte (rel8) or word (abs32) to patch, and its label; rel8 if positive. */
        private final Map<Integer, String> rel8 = new HashMap<>();
        private final Map<Integer, String> abs32 = new HashMap<>();

        Code(final int origin)
        {
            this.origin = origin;
        }

        Code bytes(final int... values)
        {
            for (final int v : values)
            {
                bytes.write(v);
            }
            return this;
        }

        Code imm16(final int value)
        {
            return bytes(value & 0xFF, (value >>> 8) & 0xFF);
        }

        Code imm32(final int value)
        {
            return bytes(value & 0xFF, (value >>> 8) & 0xFF, (value >>> 16) & 0xFF, value >>> 24);
        }

        void label(final String name)
        {
            labels.put(name, bytes.size());
        }

        /** A short jump (opcode, rel8) to {@code label}. */
        void jump(final int opcode, final String label)
        {
            bytes(opcode);
            rel8.put(bytes.size(), label);
            bytes(0);
        }

        /** {@code mov esi, address of label}. */
        void movEsi(final String label)
        {
            bytes(0xBE);
            abs32.put(bytes.size(), label);
            imm32(0);
        }

        void ascii(final String text)
        {
            final byte[] b = text.getBytes(StandardCharsets.US_ASCII);
            bytes.write(b, 0, b.length);
        }

        byte[] assemble()
        {
            final byte[] code = bytes.toByteArray();
            rel8.forEach((at, label) -> {
                final int distance = target(label) - (at + 1);
                if (distance < -128 || distance > 127)
                {
                    throw new IllegalStateException("short jump to " + label + " out of range: " + distance);
                }
                code[at] = (byte)distance;
            });
            abs32.forEach((at, label) -> ByteBuffer.wrap(code, at, 4).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(origin + target(label)));
            return code;
        }

        private int target(final String label)
        {
            final Integer at = labels.get(label);
            if (at == null)
            {
                throw new IllegalStateException("no label " + label);
            }
            return at;
        }
    }
}
