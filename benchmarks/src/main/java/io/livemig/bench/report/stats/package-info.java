/**
 * The numbers of a report: JMH's metrics, values with errors and their propagation, asymmetric 99.9 % intervals
 * and their ratios on the log scale, how a result's forks agree, the verdict of an interval against a goal, the
 * units, and how numbers are written.
 *
 * <p>Level 8 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info): the report's
 * packages go {@code report.stats} → {@code report.result} → {@code report.analysis} → {@code report.chart} →
 * {@code report.section} → {@code report}. Depends on no other package of the benchmarks.
 */
package io.livemig.bench.report.stats;
