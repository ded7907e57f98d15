/**
 * Page channels (QEMU's multifd): one sending thread per channel on the source ({@link
 * io.livemig.migration.channel.ChannelSender}), one receiving thread per channel on the destination ({@link
 * io.livemig.migration.channel.ChannelReceiver}), and the {@link io.livemig.migration.channel.RoundBarrier} that
 * keeps the destination's channels in step with the rounds the main channel announces. The pair lives
 * together: what one side writes the other reads.
 *
 * <p>Level 6 of the migration packages, beside {@code postcopy} and {@code throttle} (see {@code
 * io.livemig.migration.link}). Depends on {@code link} and the page stream.
 */
package io.livemig.migration.channel;
