/**
 * The source role: {@link io.livemig.migration.source.MigrationSource}, which sends a guest over a link in any
 * mode while the guest runs, and knows the destination only through the link.
 *
 * <p>Level 8 of the migration packages, beside {@code destination}, which it never uses (see {@code
 * io.livemig.migration.link}). Depends on every level below it.
 */
package io.livemig.migration.source;
