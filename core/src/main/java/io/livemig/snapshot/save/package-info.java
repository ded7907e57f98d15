/**
 * Saving a guest to a snapshot file, stopped or live (pre-copy into the file): passes of writer threads that
 * clear each page's dirty bit before reading it ({@link io.livemig.snapshot.save.SnapshotSave}).
 *
 * <p>Level 2 of the snapshot packages, beside {@code restore}, which it never uses; rests on {@code
 * snapshot.file}.
 */
package io.livemig.snapshot.save;
