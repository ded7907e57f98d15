/**
 * QEMU itself, beside livemig: {@code qemu.stream} reads QEMU's own migration streams strictly and
 * {@code qemu.guest} boots real guests under QEMU and migrates them to a file over QMP; this package joins the two
 * in the real-guest corpus the benchmarks measure ({@link io.livemig.qemu.RealGuestCorpus}). The user guide is
 * {@code docs/qemu.md}.
 *
 * <p>Levels (checked by {@code PackageOrderTest}): {@code qemu.stream} | {@code qemu.guest}, then {@code qemu}.
 * They rest on {@code memory}, {@code codec}, {@code stream} and {@code workload}; the migration engine never
 * uses them.
 */
package io.livemig.qemu;
