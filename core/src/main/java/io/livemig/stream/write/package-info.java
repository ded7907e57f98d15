/**
 * The source side of the page stream: {@link io.livemig.stream.write.PageStreamWriter} snapshots each page,
 * checks it for zero, and sends it raw, as an XBZRLE delta against its cached copy, or LZ4-compressed, without
 * allocating per page.
 *
 * <p>Level: above {@code stream}, beside {@code stream.read} and {@code stream.returnpath}.
 */
package io.livemig.stream.write;
