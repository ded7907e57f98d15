/**
 * What the forks of a run are given, each found out before the run and said in one line where it is missing:
 * the C anchors built for this machine, the codecs' path (SIMD or scalar) as the forks' JVM chooses it, the
 * kernel trackers the kernel offers, the real guest's pages. The probes run in the forks' JVM.
 *
 * <p>Level 6 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info): the runner's
 * packages go {@code run.env} | {@code run.preset} → {@code run.setup} → {@code run}.
 */
package io.livemig.bench.run.setup;
