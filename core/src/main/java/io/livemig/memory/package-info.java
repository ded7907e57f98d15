/**
 * Guest RAM: off-heap pages that simulated vCPUs write and the migration reads. Every write path marks the
 * written pages through a {@link io.livemig.dirty.DirtyMarker}; reads never mark. Depends on {@code dirty}.
 */
package io.livemig.memory;
