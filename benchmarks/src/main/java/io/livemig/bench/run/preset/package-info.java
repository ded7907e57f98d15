/**
 * How long each benchmark runs: the kinds a preset sizes differently ({@link io.livemig.bench.run.preset.BenchKind},
 * decided from the name alone so that the runner and the report agree) and the presets, smoke, quick and full,
 * with their forks, iterations and parameter values per kind and class.
 *
 * <p>Level 5 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info), beside
 * {@code bench.run.env}: the runner's packages go {@code run.env} | {@code run.preset} → {@code run.setup} →
 * {@code run}.
 */
package io.livemig.bench.run.preset;
