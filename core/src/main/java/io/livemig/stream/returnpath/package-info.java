/**
 * Post-copy's return path, from destination to source: page requests (with and without the block's name) and
 * SHUT, written by the destination and read strictly by the source.
 *
 * <p>Level: above {@code stream}, beside {@code stream.read} and {@code stream.write}.
 */
package io.livemig.stream.returnpath;
