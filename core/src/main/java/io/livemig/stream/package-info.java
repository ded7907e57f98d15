/**
 * The page stream: QEMU's RAM record framing (zero page, raw page, XBZRLE delta, plus livemig's LZ4 record),
 * the writer that sends guest pages through it, the reader that applies them to destination memory, and the
 * post-copy return path. The wire layout is in {@link io.livemig.stream.PageStreamDescriptor}.
 *
 * <p>Bytes move through {@link io.livemig.stream.ChannelOutput} and {@link io.livemig.stream.ChannelInput},
 * which own one reusable off-heap buffer each, so no record allocates. The reader treats every byte as
 * untrusted: whatever it reads either applies cleanly or ends in a {@link
 * io.livemig.stream.PageStreamException} naming the stream offset and the reason, and a page is written only
 * once its whole record has been read and checked. Depends on {@code dirty}, {@code memory} and {@code codec}.
 */
package io.livemig.stream;
