/**
 * Dirty logs: which guest pages were written since the migration last looked.
 *
 * <p>This package depends on nothing else of livemig. Guest memory reaches it only through {@link
 * io.livemig.dirty.DirtyMarker}, the one narrow interface that every write path calls.
 *
 * <h2>Units and granularity</h2>
 * A {@link io.livemig.dirty.DirtyLog} has one bit per <em>unit</em> of {@code 2^g} consecutive pages, where
 * {@code g} is the granularity shift (0 = one bit per page). Writers mark pages; the migration side reads
 * and clears units.
 *
 * <h2>Two ways to track</h2>
 * The bitmaps ({@link io.livemig.dirty.AtomicDirtyBitmap}, {@link io.livemig.dirty.SummaryDirtyBitmap}) set a
 * bit per written unit, and a harvest walks the bitmap: its cost follows the guest's size.
 * {@link io.livemig.dirty.DirtyRingLog} keeps KVM's per-vCPU dirty rings: each writing thread pushes the
 * units it dirties to its own {@link io.livemig.dirty.DirtyRing}, a {@link io.livemig.dirty.DirtyRingReaper}
 * or a sync collects them, so collection costs follow the number of units dirtied. All three are {@link
 * io.livemig.dirty.DirtyLog}s, so memory, engines and benchmarks take any of them.
 *
 * <h2>Memory ordering vocabulary</h2>
 * Javadoc here names orderings as {@link java.lang.invoke.VarHandle} does: <em>plain</em> (may be stale,
 * used only where a stale answer is harmless and says why), <em>volatile</em> (sequentially consistent),
 * and atomic read-modify-write operations, which are volatile. The invariant the whole package serves is
 * that <strong>no write is ever lost</strong>: a write that completes before a unit is cleared is seen by
 * whoever cleared it, and a write that races with the clear leaves the unit dirty again.
 */
package io.livemig.dirty;
