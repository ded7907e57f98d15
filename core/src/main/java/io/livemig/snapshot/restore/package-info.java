/**
 * Starting a guest from a snapshot file: eagerly, reader threads filling every page before the vCPUs resume
 * ({@link io.livemig.snapshot.restore.EagerRestore}), or lazily, the vCPUs resuming at once and each page
 * coming on first touch through a software gate or userfaultfd while a prefetch thread brings the rest ({@link
 * io.livemig.snapshot.restore.LazyRestore}).
 *
 * <p>Level 2 of the snapshot packages, beside {@code save}, which it never uses; rests on {@code
 * snapshot.file}.
 */
package io.livemig.snapshot.restore;
