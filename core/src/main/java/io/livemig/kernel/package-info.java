/**
 * Dirty tracking that the kernel keeps: guest memory from {@code mmap}, registered with a userfaultfd in
 * write-protect mode, through the Foreign Function &amp; Memory API (JDK 22+). {@link
 * io.livemig.kernel.KernelTracking} is the JDK 17 probe that loads the FFM classes ({@code
 * core/src/main/java22}) only where they can run and otherwise says why in one line.
 *
 * <p>Depends on {@code dirty} and {@code memory} only; it sits after {@code memory} in the package order.
 * The kernel's record is read only by a harvest ({@link io.livemig.dirty.DirtyLog#harvestInto}), so the
 * engines, which harvest the source's log into their migration bitmap, take a kernel tracker unchanged.
 */
package io.livemig.kernel;
