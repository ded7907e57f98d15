/**
 * What a run's {@code env.json} records: the forks' JDK, the machine (CPU identity and microarchitecture, SIMD
 * flags, caches, hypervisor, clock, memory settings), how busy it was, the source tree; each fact read
 * best-effort, {@code "unknown"} where it cannot be.
 *
 * <p>Level 5 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info), beside
 * {@code bench.run.preset}: the runner's packages go {@code run.env} | {@code run.preset} → {@code run.setup} →
 * {@code run}.
 */
package io.livemig.bench.run.env;
