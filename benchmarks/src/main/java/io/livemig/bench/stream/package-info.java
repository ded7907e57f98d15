/**
 * Benchmarks of the page stream ({@code io.livemig.stream}): writing and reading pages, against one arraycopy of
 * the same bytes.
 *
 * <p>Level 4 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info), beside
 * {@code bench.codec}, {@code bench.dirty}, {@code bench.migration} and {@code bench.snapshot}, which it never uses.
 */
package io.livemig.bench.stream;
