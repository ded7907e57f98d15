/**
 * QEMU's migration stream, read strictly ({@link io.livemig.qemu.stream.QemuStreamReader}): the envelope (header,
 * configuration, section headers and footers, the trailing VM description) around the RAM records, which
 * livemig's own {@link io.livemig.stream.read.PageStreamReader} reads in its QEMU dialect, so that there is one record
 * parser, not two. Layout in {@link io.livemig.qemu.stream.QemuStreamDescriptor}. Listeners tally what a stream
 * holds, compare its RAM with a memory dump, replay its XBZRLE records through livemig's codec and record the
 * guest's dirty pattern as a trace. Every byte is untrusted: a refusal is one line with the offset.
 *
 * <p>Level: beside {@code qemu.guest}, which it never uses; rests on {@code memory}, {@code codec}, {@code stream}
 * and {@code workload}.
 */
package io.livemig.qemu.stream;
