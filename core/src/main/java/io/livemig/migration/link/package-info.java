/**
 * Links: what the two roles talk over. {@link io.livemig.migration.link.MigrationLink} is the connection (a
 * forward channel per page channel, a return path, the phase hook); {@link io.livemig.migration.link.MemoryLink}
 * and {@link io.livemig.migration.link.TcpLink} hold both ends in one process, {@link
 * io.livemig.migration.link.SocketLink} one end of a connection between two processes, and {@link
 * io.livemig.migration.link.DeadlineLink} bounds every read and write that moves no byte. Bandwidth is one
 * {@link io.livemig.migration.link.TokenBucket} per link. {@link io.livemig.migration.link.RoleThreads} holds what
 * every role thread shares (bounded joins, the CPU clock).
 *
 * <p>Level 2 of the migration packages: {@code tls} → {@code link} → {@code fault} → {@code options} → {@code
 * wire} → {@code channel} | {@code postcopy} | {@code throttle} → {@code result} → {@code source} | {@code
 * destination} → {@code io.livemig.migration} (checked by {@code PackageOrderTest}). Depends on {@code tls}: a
 * socket's connection may run inside TLS.
 */
package io.livemig.migration.link;
