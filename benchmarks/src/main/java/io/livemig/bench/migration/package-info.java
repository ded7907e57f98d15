/**
 * Benchmarks of whole migrations ({@code io.livemig.migration}), single shots: pre-copy against post-copy over
 * dirty rates, a large idle guest, page channels, post-copy's faults (with and without the preempt connection,
 * beside the scheduling floor) and its locality hint, auto-converge against dirty-limit; each beside its baseline
 * (a plain copy of the same bytes over the same link, or the same scenario without the feature).
 *
 * <p>Level 4 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info), beside
 * {@code bench.codec}, {@code bench.dirty}, {@code bench.stream} and {@code bench.snapshot}, which it never uses.
 */
package io.livemig.bench.migration;
