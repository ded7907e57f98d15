/**
 * Benchmarks of snapshots ({@code io.livemig.snapshot}), single shots: a large guest saved to a file, stopped and
 * live, and restored from it, eagerly and lazily, each beside its baseline in the same class (plain positional
 * writes and reads of the same bytes on the same file system, with and without {@code O_DIRECT}).
 *
 * <p>Level 4 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info), beside
 * {@code bench.codec}, {@code bench.dirty}, {@code bench.stream} and {@code bench.migration}, which it never uses.
 */
package io.livemig.bench.snapshot;
