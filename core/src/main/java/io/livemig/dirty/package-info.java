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
 * <h2>Memory ordering vocabulary</h2>
 * Javadoc here names orderings as {@link java.lang.invoke.VarHandle} does: <em>plain</em> (may be stale,
 * used only where a stale answer is harmless and says why), <em>volatile</em> (sequentially consistent),
 * and atomic read-modify-write operations, which are volatile. The invariant the whole package serves is
 * that <strong>no write is ever lost</strong>: a write that completes before a unit is cleared is seen by
 * whoever cleared it, and a write that races with the clear leaves the unit dirty again.
 */
package io.livemig.dirty;
