/**
 * The run: its plan (the selected benchmarks in batches, each batch's JMH options, the estimate of its
 * duration), the runner that measures and leaves {@code jmh.json} and {@code env.json} in
 * {@code results/<time>-<preset>/}, and the progress line with the time left.
 *
 * <p>Level 7 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info): the runner's
 * packages go {@code run.env} | {@code run.preset} → {@code run.setup} → {@code run}. The report, which the
 * run ends with, sits above ({@code io.livemig.bench.report.BenchCommand}).
 */
package io.livemig.bench.run;
