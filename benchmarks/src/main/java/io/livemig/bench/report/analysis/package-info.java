/**
 * What a run's results show: livemig beside the C anchors of the same run (pairs, refusals, the call floor), the
 * goals the cores are held to, the granularity trade-off, whether a hot path allocates, whether the run may be
 * published, and two runs compared.
 *
 * <p>Level 10 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info): the
 * report's packages go {@code report.stats} → {@code report.result} → {@code report.analysis} →
 * {@code report.chart} → {@code report.section} → {@code report}.
 */
package io.livemig.bench.report.analysis;
