/**
 * QEMU itself: its migration streams read strictly ({@link io.livemig.qemu.QemuStreamReader}: QEMU's envelope
 * around the RAM records, which livemig's own {@link io.livemig.stream.PageStreamReader} reads in its QEMU
 * dialect), and real guests booted under QEMU and migrated to a file over QMP ({@link io.livemig.qemu.QemuGuest},
 * {@link io.livemig.qemu.QemuMigration}), whose streams, memory dumps and dirty patterns livemig checks and
 * learns from. The wire layout is in {@link io.livemig.qemu.QemuStreamDescriptor}. Depends on {@code memory},
 * {@code codec}, {@code stream} and {@code workload}; the user guide is {@code docs/qemu.md}.
 */
package io.livemig.qemu;
