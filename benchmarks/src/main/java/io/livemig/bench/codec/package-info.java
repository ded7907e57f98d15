/**
 * Benchmarks of the page codecs ({@code io.livemig.codec}), one class per operation, each with its baseline
 * in the same class: ns per 4 KiB page over 64 MiB off-heap working sets, so that GB/s = 4.096 / score and
 * ratio = baseline score / codec score compares with reference-figures.md (QEMU's C cores). Inputs come from
 * {@code io.livemig.bench.state} and are seeded.
 *
 * <p>Level 4 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info), beside
 * {@code bench.dirty}, {@code bench.stream}, {@code bench.migration} and {@code bench.snapshot}, which it never uses.
 */
package io.livemig.bench.codec;
