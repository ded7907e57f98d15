/**
 * What a migration is asked to do: {@link io.livemig.migration.options.MigrationOptions} (QEMU's migration
 * parameters and capabilities in spirit), the {@link io.livemig.migration.options.MigrationMode}, the stop
 * policy, what pre-copy does when it gives up, and the progress listener. Immutable values, except the listener.
 *
 * <p>Level 4 of the migration packages (see {@code io.livemig.migration.link}). Depends on nothing of the
 * migration packages.
 */
package io.livemig.migration.options;
