/**
 * Snapshots: a guest saved to a file while its vCPUs run, and a guest started from one. {@link
 * io.livemig.snapshot.SnapshotRun} is what {@code scripts/migrate --to file:PATH} and {@code --from file:PATH}
 * run, and {@link io.livemig.snapshot.SnapshotResult} what they report. The user guide is {@code
 * docs/snapshots.md}.
 *
 * <p>Levels (checked by {@code PackageOrderTest}): {@code snapshot.file} (the file's layout, its strict reader
 * and its writer) → {@code snapshot.save} | {@code snapshot.restore} → {@code io.livemig.snapshot}. They rest
 * on {@code dirty}, {@code memory}, {@code kernel}, {@code codec} and {@code workload}; the migration engine
 * never uses them.
 */
package io.livemig.snapshot;
