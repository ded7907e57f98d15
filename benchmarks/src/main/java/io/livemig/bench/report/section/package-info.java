/**
 * The sections of {@code REPORT.md}, one class each, every one with {@code section(md, ...)}: the environment,
 * allocation, figures, dirty trackers, kernel tracking, post-copy faults and the locality hint, channels, livemig
 * against C with the goals, the real guest, granularity, the class tables and the appendix.
 *
 * <p>Level 12 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info): the
 * report's packages go {@code report.stats} → {@code report.result} → {@code report.analysis} →
 * {@code report.chart} → {@code report.section} → {@code report}.
 */
package io.livemig.bench.report.section;
