/**
 * A run's results as the report reads them: JMH's JSON, env.json flattened, the reference figures from another
 * machine, the order of parameter values, and each result beside the baselines of its class.
 *
 * <p>Level 9 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info): the report's
 * packages go {@code report.stats} → {@code report.result} → {@code report.analysis} → {@code report.chart} →
 * {@code report.section} → {@code report}.
 */
package io.livemig.bench.report.result;
