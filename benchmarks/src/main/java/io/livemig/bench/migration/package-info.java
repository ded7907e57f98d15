/**
 * Benchmarks of whole migrations ({@code io.livemig.migration}), single shots: pre-copy against post-copy over
 * dirty rates, a large idle guest, page channels, post-copy's faults, auto-converge against dirty-limit; each
 * beside its baseline (a plain copy of the same bytes over the same link).
 *
 * <p>Level 4 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info), beside
 * {@code bench.codec}, {@code bench.dirty} and {@code bench.stream}, which it never uses.
 */
package io.livemig.bench.migration;
