/**
 * livemig's benchmark suite: JMH benchmarks of the library's hot cores and whole migrations, each beside its
 * baseline, the C anchors they are measured against, the runner behind {@code mvn -B verify -Pbench} and the
 * report tools behind {@code scripts/report}, {@code scripts/compare} and {@code scripts/tune-granularity}.
 * {@link io.livemig.bench.BenchJvm} holds the forks' JVM options every benchmark class declares.
 *
 * <p>The packages rest on those below them only, from the bottom up (checked by
 * {@code io.livemig.bench.PackageOrderTest}; packages on one level never use each other):
 * <ol>
 *   <li>{@code bench}: the forks' JVM options;</li>
 *   <li>{@code bench.anchor}: QEMU's algorithms in C, built and called through JNI;</li>
 *   <li>{@code bench.state}: the benchmarks' shared, seeded inputs;</li>
 *   <li>{@code bench.codec} | {@code bench.dirty} | {@code bench.stream} | {@code bench.migration} | {@code
 *       bench.snapshot}: the benchmarks, one package per concern;</li>
 *   <li>{@code bench.run.env} | {@code bench.run.preset}: what env.json records; benchmark kinds and presets;</li>
 *   <li>{@code bench.run.setup}: what the forks are given (anchors, SIMD path, kernel trackers, real guest);</li>
 *   <li>{@code bench.run}: the run itself: its plan, the runner, the progress line;</li>
 *   <li>{@code bench.report.stats}: numbers, intervals and verdicts;</li>
 *   <li>{@code bench.report.result}: a run's results as read (jmh.json, env.json, reference figures);</li>
 *   <li>{@code bench.report.analysis}: what the results show (livemig against C, goals, granularity, two runs
 *       compared);</li>
 *   <li>{@code bench.report.chart}: the report's charts;</li>
 *   <li>{@code bench.report.section}: the report's sections, one class each;</li>
 *   <li>{@code bench.report}: the tools: the report writer and the commands.</li>
 * </ol>
 * Level 1: depends on nothing of the benchmarks.
 */
package io.livemig.bench;
