/**
 * The report tools: the report writer, which puts the sections together, and the commands behind
 * {@code scripts/report}, {@code scripts/compare}, {@code scripts/tune-granularity} and {@code mvn -Pbench}
 * ({@link io.livemig.bench.report.BenchCommand}: the run, then its report), with their shared command-line
 * plumbing. A bad option or input is one line on stderr and exit status 2.
 *
 * <p>Level 13 of the benchmarks' packages, the top (the order is in {@code io.livemig.bench}'s package-info):
 * may use every other package of the benchmarks.
 */
package io.livemig.bench.report;
