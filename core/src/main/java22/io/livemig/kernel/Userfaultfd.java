package io.livemig.kernel;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * The userfaultfd interface as livemig uses it, mirroring the kernel header {@code
 * include/uapi/linux/userfaultfd.h} (Linux 6.7+ for {@code UFFD_FEATURE_WP_ASYNC}): the ioctl numbers, feature
 * and mode bits, and the structures as {@link MemoryLayout}s named as in the header, with {@link VarHandle}s
 * for their fields (each takes the segment and a base offset of {@code 0L}).
 *
 * <pre>
 * struct uffdio_api          { __u64 api; __u64 features; __u64 ioctls; };               24 bytes
 * struct uffdio_range        { __u64 start; __u64 len; };                                16 bytes
 * struct uffdio_register     { struct uffdio_range range; __u64 mode; __u64 ioctls; };   32 bytes
 * struct uffdio_writeprotect { struct uffdio_range range; __u64 mode; };                 24 bytes
 * struct uffdio_copy         { __u64 dst; __u64 src; __u64 len; __u64 mode; __s64 copy; } 40 bytes
 * struct uffdio_zeropage     { struct uffdio_range range; __u64 mode; __s64 zeropage; }  32 bytes
 * struct uffd_msg {                                                                      32 bytes, packed
 *     __u8 event; __u8 reserved1; __u16 reserved2; __u32 reserved3;
 *     union { struct { __u64 flags; __u64 address; union { __u32 ptid; } feat; } pagefault; ... } arg;
 * };
 * </pre>
 *
 * <p>Thread-safety: constants only.
 */
final class Userfaultfd
{
    /** {@code UFFD_API}: the API version the handshake asks for. */
    static final long UFFD_API = 0xAA;
    /** {@code UFFD_USER_MODE_ONLY}: flag of {@code userfaultfd(2)} that needs no privilege for user-mode faults. */
    static final int UFFD_USER_MODE_ONLY = 1;

    /** {@code _IOWR(UFFDIO, _UFFDIO_API, struct uffdio_api)}. */
    static final long UFFDIO_API = 0xC018AA3FL;
    /** {@code _IOWR(UFFDIO, _UFFDIO_REGISTER, struct uffdio_register)}. */
    static final long UFFDIO_REGISTER = 0xC020AA00L;
    /** {@code _IOR(UFFDIO, _UFFDIO_UNREGISTER, struct uffdio_range)}. */
    static final long UFFDIO_UNREGISTER = 0x8010AA01L;
    /** {@code _IOR(UFFDIO, _UFFDIO_WAKE, struct uffdio_range)}. */
    static final long UFFDIO_WAKE = 0x8010AA02L;
    /** {@code _IOWR(UFFDIO, _UFFDIO_COPY, struct uffdio_copy)}. */
    static final long UFFDIO_COPY = 0xC028AA03L;
    /** {@code uffdio_copy.mode}: place without waking the page's waiters. */
    static final long UFFDIO_COPY_MODE_DONTWAKE = 1L;
    /** {@code _IOWR(UFFDIO, _UFFDIO_ZEROPAGE, struct uffdio_zeropage)}. */
    static final long UFFDIO_ZEROPAGE = 0xC020AA04L;
    /** The bits of {@code UFFDIO_COPY} and {@code UFFDIO_ZEROPAGE} in {@code uffdio_register.ioctls}. */
    static final long UFFDIO_COPY_IOCTL_BIT = 1L << 0x03;
    static final long UFFDIO_ZEROPAGE_IOCTL_BIT = 1L << 0x04;
    /** {@code _UFFDIO_WAKE}'s bit in {@code uffdio_register.ioctls}. */
    static final long UFFDIO_WAKE_IOCTL_BIT = 1L << 0x02;
    /** {@code _IOWR(UFFDIO, _UFFDIO_WRITEPROTECT, struct uffdio_writeprotect)}. */
    static final long UFFDIO_WRITEPROTECT = 0xC018AA06L;

    /** Feature bits of {@code uffdio_api.features}. */
    static final long UFFD_FEATURE_PAGEFAULT_FLAG_WP = 1L << 0;
    static final long UFFD_FEATURE_THREAD_ID = 1L << 8;
    static final long UFFD_FEATURE_WP_UNPOPULATED = 1L << 13;
    static final long UFFD_FEATURE_WP_ASYNC = 1L << 15;

    /** {@code uffdio_register.mode}. */
    static final long UFFDIO_REGISTER_MODE_MISSING = 1L << 0;
    static final long UFFDIO_REGISTER_MODE_WP = 1L << 1;
    /** {@code uffdio_writeprotect.mode}. */
    static final long UFFDIO_WRITEPROTECT_MODE_WP = 1L << 0;
    static final long UFFDIO_WRITEPROTECT_MODE_DONTWAKE = 1L << 1;
    /** The bit of {@code UFFDIO_WRITEPROTECT} in {@code uffdio_register.ioctls} ({@code 1 << _UFFDIO_WRITEPROTECT}). */
    static final long UFFDIO_WRITEPROTECT_IOCTL_BIT = 1L << 0x06;

    /** {@code uffd_msg.event} of a page fault, and its {@code pagefault.flags}. */
    static final byte UFFD_EVENT_PAGEFAULT = 0x12;
    static final long UFFD_PAGEFAULT_FLAG_WRITE = 1L << 0;
    static final long UFFD_PAGEFAULT_FLAG_WP = 1L << 1;

    static final StructLayout uffdio_api = MemoryLayout.structLayout(
        JAVA_LONG.withName("api"), JAVA_LONG.withName("features"), JAVA_LONG.withName("ioctls")).withName("uffdio_api");
    static final VarHandle uffdio_api_api = uffdio_api.varHandle(groupElement("api"));
    static final VarHandle uffdio_api_features = uffdio_api.varHandle(groupElement("features"));
    static final VarHandle uffdio_api_ioctls = uffdio_api.varHandle(groupElement("ioctls"));

    static final StructLayout uffdio_range = MemoryLayout.structLayout(
        JAVA_LONG.withName("start"), JAVA_LONG.withName("len")).withName("uffdio_range");
    static final VarHandle uffdio_range_start = uffdio_range.varHandle(groupElement("start"));
    static final VarHandle uffdio_range_len = uffdio_range.varHandle(groupElement("len"));

    static final StructLayout uffdio_register = MemoryLayout.structLayout(
        uffdio_range.withName("range"), JAVA_LONG.withName("mode"), JAVA_LONG.withName("ioctls")).withName("uffdio_register");
    static final VarHandle uffdio_register_start = uffdio_register.varHandle(groupElement("range"), groupElement("start"));
    static final VarHandle uffdio_register_len = uffdio_register.varHandle(groupElement("range"), groupElement("len"));
    static final VarHandle uffdio_register_mode = uffdio_register.varHandle(groupElement("mode"));
    static final VarHandle uffdio_register_ioctls = uffdio_register.varHandle(groupElement("ioctls"));

    static final StructLayout uffdio_writeprotect = MemoryLayout.structLayout(
        uffdio_range.withName("range"), JAVA_LONG.withName("mode")).withName("uffdio_writeprotect");
    static final VarHandle uffdio_writeprotect_start = uffdio_writeprotect.varHandle(groupElement("range"), groupElement("start"));
    static final VarHandle uffdio_writeprotect_len = uffdio_writeprotect.varHandle(groupElement("range"), groupElement("len"));
    static final VarHandle uffdio_writeprotect_mode = uffdio_writeprotect.varHandle(groupElement("mode"));

    static final StructLayout uffdio_copy = MemoryLayout.structLayout(
        JAVA_LONG.withName("dst"), JAVA_LONG.withName("src"), JAVA_LONG.withName("len"), JAVA_LONG.withName("mode"),
        JAVA_LONG.withName("copy")).withName("uffdio_copy");
    static final VarHandle uffdio_copy_dst = uffdio_copy.varHandle(groupElement("dst"));
    static final VarHandle uffdio_copy_src = uffdio_copy.varHandle(groupElement("src"));
    static final VarHandle uffdio_copy_len = uffdio_copy.varHandle(groupElement("len"));
    static final VarHandle uffdio_copy_mode = uffdio_copy.varHandle(groupElement("mode"));

    static final StructLayout uffdio_zeropage = MemoryLayout.structLayout(
        uffdio_range.withName("range"), JAVA_LONG.withName("mode"), JAVA_LONG.withName("zeropage")).withName("uffdio_zeropage");
    static final VarHandle uffdio_zeropage_start = uffdio_zeropage.varHandle(groupElement("range"), groupElement("start"));
    static final VarHandle uffdio_zeropage_len = uffdio_zeropage.varHandle(groupElement("range"), groupElement("len"));
    static final VarHandle uffdio_zeropage_mode = uffdio_zeropage.varHandle(groupElement("mode"));

    /** The page-fault arm of {@code uffd_msg.arg}; the union is as large as its largest arm (24 bytes). */
    static final StructLayout uffd_msg_pagefault = MemoryLayout.structLayout(
        JAVA_LONG.withName("flags"), JAVA_LONG.withName("address"), JAVA_INT.withName("ptid"),
        MemoryLayout.paddingLayout(4)).withName("pagefault");
    static final StructLayout uffd_msg = MemoryLayout.structLayout(
        JAVA_BYTE.withName("event"), JAVA_BYTE.withName("reserved1"), JAVA_SHORT.withName("reserved2"),
        JAVA_INT.withName("reserved3"), uffd_msg_pagefault.withName("arg")).withName("uffd_msg");
    static final VarHandle uffd_msg_event = uffd_msg.varHandle(groupElement("event"));
    static final VarHandle uffd_msg_pagefault_flags = uffd_msg.varHandle(groupElement("arg"), groupElement("flags"));
    static final VarHandle uffd_msg_pagefault_address = uffd_msg.varHandle(groupElement("arg"), groupElement("address"));

    private Userfaultfd()
    {
    }

    /** @return the names of the feature bits of {@code wanted} that are not in {@code have}, comma-separated. */
    static String missingFeatures(final long wanted, final long have)
    {
        final StringBuilder sb = new StringBuilder();
        final long missing = wanted & ~have;
        appendIf(sb, missing, UFFD_FEATURE_PAGEFAULT_FLAG_WP, "UFFD_FEATURE_PAGEFAULT_FLAG_WP");
        appendIf(sb, missing, UFFD_FEATURE_THREAD_ID, "UFFD_FEATURE_THREAD_ID");
        appendIf(sb, missing, UFFD_FEATURE_WP_UNPOPULATED, "UFFD_FEATURE_WP_UNPOPULATED");
        appendIf(sb, missing, UFFD_FEATURE_WP_ASYNC, "UFFD_FEATURE_WP_ASYNC");
        return sb.toString();
    }

    private static void appendIf(final StringBuilder sb, final long missing, final long bit, final String name)
    {
        if ((missing & bit) != 0)
        {
            sb.append(sb.length() == 0 ? "" : ", ").append(name);
        }
    }
}
