/**
 * Page codecs: zero-page detection, QEMU's XBZRLE delta with its source-side page cache, and LZ4 blocks.
 *
 * <p>The codecs work on buffers and know nothing of guest memory or dirty logs: this package imports only
 * Agrona, lz4-java and the JDK. Byte arrays and Agrona {@link org.agrona.DirectBuffer}s (on-heap or
 * off-heap) are accepted alike; each public method checks the offsets and lengths it is given against the
 * buffers' capacities before any raw access, whether or not Agrona's own bounds checks are switched on, and
 * throws {@link java.lang.IndexOutOfBoundsException} or {@link java.lang.IllegalArgumentException} naming
 * the argument. Bytes that come from the wire (an XBZRLE delta, an LZ4 block) are never trusted: a bad one
 * gives {@code -1} or {@code false}, never an exception and never a write outside the target page.
 *
 * <p>Thread-safety is stated per class: the static codecs are stateless; {@link io.livemig.codec.XbzrleCache}
 * belongs to the sending thread and {@link io.livemig.codec.Lz4PageCodec} to whichever thread made it.
 */
package io.livemig.codec;
