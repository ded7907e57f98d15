/**
 * TLS on a migration's connections: credentials in QEMU's file layout ({@link
 * io.livemig.migration.tls.TlsCredentials}), the destination's list of client names that may migrate into it
 * ({@link io.livemig.migration.tls.TlsAuthz}), one role's settings and its bounded handshakes ({@link
 * io.livemig.migration.tls.TlsConfig}), and one TCP connection to the peer, in clear or inside TLS 1.3 ({@link
 * io.livemig.migration.tls.PeerSocket}). Failures become one line naming the reason ({@link
 * io.livemig.migration.tls.TlsFailure}). Only the JDK's TLS code (JSSE) reads a peer's bytes before its handshake
 * completes.
 *
 * <p>Level 1 of the migration packages: {@code tls} → {@code link} → {@code fault} → {@code options} → {@code
 * wire} → {@code channel} | {@code postcopy} | {@code throttle} → {@code result} → {@code source} | {@code
 * destination} → {@code io.livemig.migration} (checked by {@code PackageOrderTest}). Depends on nothing of livemig.
 */
package io.livemig.migration.tls;
