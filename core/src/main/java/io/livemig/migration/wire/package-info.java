/**
 * The wire formats around the page stream: the migration envelope ({@link
 * io.livemig.migration.wire.MigrationEnvelopeDescriptor}), and between two processes the {@link
 * io.livemig.migration.wire.Handshake} and its reply, each page channel's {@link
 * io.livemig.migration.wire.ChannelHello}, the {@link io.livemig.migration.wire.PageDigests} exchanged for
 * verification and post-copy recovery's {@link io.livemig.migration.wire.ReceivedBitmap}. Every reader treats
 * its bytes as untrusted and refuses with one line naming the offset and the field.
 *
 * <p>Level 5 of the migration packages (see {@code io.livemig.migration.link}). Depends on {@code link} and
 * {@code options}.
 */
package io.livemig.migration.wire;
