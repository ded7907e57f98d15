/**
 * The snapshot file: its layout ({@link io.livemig.snapshot.file.SnapshotHeader}, every page at a fixed slot,
 * then the bitmap of present pages, the page digests and the device state), the writer whose threads fill the
 * slots in parallel ({@link io.livemig.snapshot.file.SnapshotWriter}), and the strict reader that refuses a
 * file that is cut short or disagrees with itself, naming the offset ({@link
 * io.livemig.snapshot.file.SnapshotReader}).
 *
 * <p>Level 1 of the snapshot packages: {@code file} → {@code save} | {@code restore} → {@code
 * io.livemig.snapshot}. Depends on nothing of livemig.
 */
package io.livemig.snapshot.file;
