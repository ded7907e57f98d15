/**
 * What a migration reports: {@link io.livemig.migration.result.MigrationResult} (status, times, rounds, pages
 * by kind, faults, recovery, verification) with its one-line summary and JSON, and each pre-copy round's
 * {@link io.livemig.migration.result.RoundStats}.
 *
 * <p>Level 7 of the migration packages (see {@code io.livemig.migration.link}). Depends on {@code options}, {@code
 * wire} (page digests) and {@code tls} (the session a migration ran in).
 */
package io.livemig.migration.result;
