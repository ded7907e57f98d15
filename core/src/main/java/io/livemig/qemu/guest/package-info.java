/**
 * Real guests under QEMU: the kernel and busybox fetched with apt and the initramfs written here, a tiny
 * multiboot counter guest assembled here, QEMU started with a QMP monitor and a serial console, its migration
 * to a file through a receiver that timestamps the stream, and the memory dump after it. Every QEMU process has a
 * deadline and is quit, killed and reaped on every path.
 *
 * <p>Level: beside {@code qemu.stream}, which it never uses; rests on nothing else of livemig's but the JDK.
 */
package io.livemig.qemu.guest;
