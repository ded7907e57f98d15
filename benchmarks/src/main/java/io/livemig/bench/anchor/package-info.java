/**
 * livemig's C anchors: own C implementations of the QEMU migration cores that the report compares with
 * (XBZRLE encode and decode, zero-page detection, {@code find_next_bit} enumeration, dirty-bitmap sync), built
 * with the system C compiler at benchmark time ({@link io.livemig.bench.anchor.AnchorBuild}) and called
 * through JNI ({@link io.livemig.bench.anchor.QemuAnchors}), one call per batch. The sources live in
 * {@code benchmarks/src/main/native} (see its README) and are packaged into {@code benchmarks.jar}; they are
 * never linked into {@code core}. {@link io.livemig.bench.anchor.InputDigest} proves that the C and the Java
 * side of a comparison read the same bytes.
 */
package io.livemig.bench.anchor;
