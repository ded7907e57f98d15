/**
 * The destination side of the page stream: {@link io.livemig.stream.read.PageStreamReader} reads records and applies
 * each page to destination memory, with buffers and codecs allocated once. Every byte is untrusted: a record is
 * read and checked whole before its page is written, so a record that fails leaves memory as it was, and nothing
 * is written outside the page a record names. The MEM_SIZE record's body and each page record's payload have a
 * class each.
 *
 * <p>Level: above {@code stream}, beside {@code stream.write} and {@code stream.returnpath}.
 */
package io.livemig.stream.read;
