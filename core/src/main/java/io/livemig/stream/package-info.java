/**
 * The page stream: QEMU's RAM record framing (zero page, raw page, XBZRLE delta, plus livemig's LZ4 record). This
 * package holds what both directions share: the wire layout ({@link io.livemig.stream.PageStreamDescriptor}) and
 * its two dialects (livemig's, QEMU's), the page kinds, the options, the counters, the table of named RAM
 * blocks, the page channels' stripes, and the buffered channels bytes move through ({@link
 * io.livemig.stream.ChannelOutput}, {@link io.livemig.stream.ChannelInput}), which own one reusable off-heap
 * buffer each, so that no record allocates. Every refusal of untrusted bytes is a {@link
 * io.livemig.stream.PageStreamException} naming the stream offset and the reason.
 *
 * <p>Levels (checked by {@code PackageOrderTest}): {@code stream}, then {@code stream.read} (the strict reader that
 * applies records to destination memory) | {@code stream.write} (the writer that sends guest pages) | {@code
 * stream.returnpath} (post-copy's page requests and SHUT), which never use each other. Depends on {@code dirty},
 * {@code memory} and {@code codec}.
 */
package io.livemig.stream;
