/**
 * Benchmarks of dirty tracking ({@code io.livemig.dirty}, {@code io.livemig.kernel}), one class per operation,
 * each with its baseline in the same class: marking a page, enumerating, draining and harvesting a bitmap,
 * collecting the dirty ring, the kernel's write-protection, and the studies of granularity and guest size.
 *
 * <p>Level 4 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info), beside
 * {@code bench.codec}, {@code bench.stream}, {@code bench.migration} and {@code bench.snapshot}, which it never uses.
 */
package io.livemig.bench.dirty;
