/**
 * livemig's C anchors: own C implementations of the QEMU migration cores that the report compares with
 * (XBZRLE encode and decode, zero-page detection, {@code find_next_bit} enumeration, dirty-bitmap sync), built
 * with the system C compiler at benchmark time ({@link io.livemig.bench.anchor.AnchorBuild}) and called
 * through JNI ({@link io.livemig.bench.anchor.QemuAnchors}), one call per batch. The sources live in
 * {@code benchmarks/src/main/native} (see its README) and are packaged into {@code benchmarks.jar}; they are
 * never linked into {@code core}. {@link io.livemig.bench.anchor.InputDigest} proves that the C and the Java
 * side of a comparison read the same bytes.
 *
 * <p>Level 2 of the benchmarks' packages (the order is in {@code io.livemig.bench}'s package-info): rests on
 * {@code io.livemig.bench} alone; the inputs of {@code bench.state} use it, not the other way round.
 */
package io.livemig.bench.anchor;
