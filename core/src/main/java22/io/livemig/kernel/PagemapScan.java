package io.livemig.kernel;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The {@code PAGEMAP_SCAN} ioctl on {@code /proc/self/pagemap} (Linux 6.7), mirroring the kernel header {@code
 * include/uapi/linux/fs.h}: one call walks a range, returns the pages of the asked categories as {@code
 * page_region}s and, with {@code PM_SCAN_WP_MATCHING}, write-protects the matching pages in the same walk.
 *
 * <pre>
 * struct page_region { __u64 start; __u64 end; __u64 categories; };                       24 bytes
 * struct pm_scan_arg {                                                                    96 bytes
 *     __u64 size; __u64 flags; __u64 start; __u64 end; __u64 walk_end; __u64 vec; __u64 vec_len;
 *     __u64 max_pages; __u64 category_inverted; __u64 category_mask; __u64 category_anyof_mask;
 *     __u64 return_mask;
 * };
 * </pre>
 *
 * <p>Thread-safety: constants only.
 */
final class PagemapScan
{
    /** {@code _IOWR('f', 16, struct pm_scan_arg)}. */
    static final long PAGEMAP_SCAN = 0xC0606610L;

    /** {@code pm_scan_arg.flags}. */
    static final long PM_SCAN_WP_MATCHING = 1L << 0;
    static final long PM_SCAN_CHECK_WPASYNC = 1L << 1;

    /** Page categories. */
    static final long PAGE_IS_WPALLOWED = 1L << 0;
    static final long PAGE_IS_WRITTEN = 1L << 1;
    static final long PAGE_IS_PRESENT = 1L << 3;
    static final long PAGE_IS_HUGE = 1L << 6;

    static final StructLayout page_region = MemoryLayout.structLayout(
        JAVA_LONG.withName("start"), JAVA_LONG.withName("end"), JAVA_LONG.withName("categories")).withName("page_region");

    static final StructLayout pm_scan_arg = MemoryLayout.structLayout(
        JAVA_LONG.withName("size"), JAVA_LONG.withName("flags"), JAVA_LONG.withName("start"), JAVA_LONG.withName("end"),
        JAVA_LONG.withName("walk_end"), JAVA_LONG.withName("vec"), JAVA_LONG.withName("vec_len"),
        JAVA_LONG.withName("max_pages"), JAVA_LONG.withName("category_inverted"), JAVA_LONG.withName("category_mask"),
        JAVA_LONG.withName("category_anyof_mask"), JAVA_LONG.withName("return_mask")).withName("pm_scan_arg");
    static final VarHandle pm_scan_arg_size = pm_scan_arg.varHandle(groupElement("size"));
    static final VarHandle pm_scan_arg_flags = pm_scan_arg.varHandle(groupElement("flags"));
    static final VarHandle pm_scan_arg_start = pm_scan_arg.varHandle(groupElement("start"));
    static final VarHandle pm_scan_arg_end = pm_scan_arg.varHandle(groupElement("end"));
    static final VarHandle pm_scan_arg_walk_end = pm_scan_arg.varHandle(groupElement("walk_end"));
    static final VarHandle pm_scan_arg_vec = pm_scan_arg.varHandle(groupElement("vec"));
    static final VarHandle pm_scan_arg_vec_len = pm_scan_arg.varHandle(groupElement("vec_len"));
    static final VarHandle pm_scan_arg_max_pages = pm_scan_arg.varHandle(groupElement("max_pages"));
    static final VarHandle pm_scan_arg_category_inverted = pm_scan_arg.varHandle(groupElement("category_inverted"));
    static final VarHandle pm_scan_arg_category_mask = pm_scan_arg.varHandle(groupElement("category_mask"));
    static final VarHandle pm_scan_arg_category_anyof_mask = pm_scan_arg.varHandle(groupElement("category_anyof_mask"));
    static final VarHandle pm_scan_arg_return_mask = pm_scan_arg.varHandle(groupElement("return_mask"));

    private PagemapScan()
    {
    }
}
