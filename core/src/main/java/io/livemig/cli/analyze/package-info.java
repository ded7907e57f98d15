/**
 * The tools that read what a migration wrote: {@code scripts/analyze-stream} (a livemig capture or a QEMU
 * migration stream, read strictly: records by block and kind, the RAM extracted or compared with a dump, the dirty
 * trace) and {@code scripts/qemu-guest} (a real guest under QEMU, migrated to a file and checked page by page).
 *
 * <p>Level: above {@code cli}, beside {@code cli.migrate}, which it never uses.
 */
package io.livemig.cli.analyze;
