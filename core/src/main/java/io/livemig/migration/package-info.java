/**
 * The migration engines and what they run over: {@link io.livemig.migration.Migration} (pre-copy,
 * post-copy, hybrid), the links ({@link io.livemig.migration.MemoryLink}, {@link io.livemig.migration.TcpLink},
 * both limited by one {@link io.livemig.migration.TokenBucket}), the envelope around the page stream
 * ({@link io.livemig.migration.MigrationEnvelopeDescriptor}), results ({@link
 * io.livemig.migration.MigrationResult}) and whole experiments ({@link io.livemig.migration.MigrationRun}).
 * Depends on {@code dirty}, {@code memory}, {@code codec}, {@code stream} and {@code workload}.
 */
package io.livemig.migration;
