/**
 * {@code scripts/migrate}: {@link io.livemig.cli.migrate.MigrateCommand} built from option groups (guest and
 * workload, migration parameters, link and channels, trackers and faults, output), and the two roles it runs, the
 * source ({@code --to}, or both roles in one process) and the destination ({@code --listen}), over one base.
 *
 * <p>Level: above {@code cli}, beside {@code cli.analyze}, which it never uses.
 */
package io.livemig.cli.migrate;
