/**
 * The migration engines and what they run over: the two roles, {@link io.livemig.migration.MigrationSource}
 * and {@link io.livemig.migration.MigrationDestination}, each runnable alone over a link, and {@link
 * io.livemig.migration.Migration}, the two joined in one process (pre-copy, post-copy, hybrid); the links
 * ({@link io.livemig.migration.MemoryLink}, {@link io.livemig.migration.TcpLink}, both ends here and
 * limited by one {@link io.livemig.migration.TokenBucket}; {@link io.livemig.migration.SocketLink}, one
 * end of a connection between two processes, with deadlines); the envelope around the page stream ({@link
 * io.livemig.migration.MigrationEnvelopeDescriptor}); between two processes the {@link
 * io.livemig.migration.Handshake}, its {@link io.livemig.migration.HandshakeReply} and the {@link
 * io.livemig.migration.PageDigests} exchanged for verification; results ({@link
 * io.livemig.migration.MigrationResult}) and whole experiments ({@link io.livemig.migration.MigrationRun}
 * for a source or both roles, {@link io.livemig.migration.MigrationListen} for a destination process).
 * Depends on {@code dirty}, {@code memory}, {@code codec}, {@code stream} and {@code workload}.
 */
package io.livemig.migration;
