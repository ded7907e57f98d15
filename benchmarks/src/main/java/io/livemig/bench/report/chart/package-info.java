/**
 * The report's charts, one class per family (dirty trackers, codecs, livemig against C, granularity,
 * migration) over the parts they share ({@link io.livemig.bench.report.chart.Charts}), drawn headless with
 * JFreeChart.
 *
 * <p>Level 11 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info): the
 * report's packages go {@code report.stats} → {@code report.result} → {@code report.analysis} →
 * {@code report.chart} → {@code report.section} → {@code report}.
 */
package io.livemig.bench.report.chart;
