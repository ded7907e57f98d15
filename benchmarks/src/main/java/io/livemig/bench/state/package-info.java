/**
 * The benchmarks' shared inputs, one class per input family ({@code RoaringBitmap}'s {@code realdata/state}):
 * off-heap working sets, dirty bitmaps at given densities, XBZRLE page pairs, LZ4 data, page-stream mixes, the
 * real guest's pages, all seeded; and {@link io.livemig.bench.state.InputLog}, which digests what each trial
 * read (in C for an anchor's trial) so the report compares only sides that read the same bytes, and
 * {@link io.livemig.bench.state.Placement}, where those bytes sit.
 *
 * <p>Level 3 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info): rests on
 * {@code bench.anchor}, whose C digests and addresses the inputs use.
 */
package io.livemig.bench.state;
