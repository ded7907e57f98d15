package io.livemig.cli.migrate;

import io.livemig.cli.BadOption;
import io.livemig.cli.DestinationOption;
import io.livemig.cli.TimeParser;
import io.livemig.migration.MigrationRun;
import io.livemig.migration.link.MigrationLink;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;

import static io.livemig.cli.BadOption.check;

/**
 * {@code migrate}'s link and channels: the role in two processes ({@code --listen}, {@code --to}), the link in
 * one, the page channels, and the link's deadlines. Filled by picocli, then read on the command's thread; not
 * thread-safe.
 */
public final class LinkOptions
{
    @DestinationOption
    @Option(names = "--listen", paramLabel = "HOST:PORT",
        description = "be the destination in this process: wait for one migration from a --to source (port 0: "
        + "any free port; the address is printed on stderr); the guest comes from the source's handshake")
    String listen;

    @Option(names = "--to", paramLabel = "HOST:PORT",
        description = "be the source in this process: migrate to a --listen destination over TCP")
    String to;

    @Option(names = "--link", paramLabel = "KIND", defaultValue = "memory",
        description = "memory or tcp (127.0.0.1, ephemeral port) (default ${DEFAULT-VALUE})")
    String link;

    @Option(names = "--channels", paramLabel = "N", defaultValue = "1",
        description = "page channels (QEMU's multifd): pre-copy rounds go over N connections or pipes, each with " +
            "its own sending thread, beside the main one (default ${DEFAULT-VALUE})")
    int channels;

    @Option(names = "--latency", paramLabel = "TIME", defaultValue = "0", converter = TimeParser.NanosConverter.class,
        description = "one-way latency of the memory link, e.g. 1ms (default ${DEFAULT-VALUE})")
    long latencyNs;

    @DestinationOption
    @Option(names = "--link-timeout", paramLabel = "TIME", defaultValue = "30s", converter = TimeParser.MillisConverter.class,
        description = "connect (--to/--listen), and every read or write that moves no byte (in one process too), "
        + "fail after this long (default ${DEFAULT-VALUE})")
    long linkTimeoutMs;

    @DestinationOption
    @Option(names = "--accept-timeout", paramLabel = "TIME", defaultValue = "300s",
        converter = TimeParser.MillisConverter.class,
        description = "--listen: give up when no source connects within this long (default ${DEFAULT-VALUE})")
    long acceptTimeoutMs;

    /** Checks what both roles take. */
    void checkShared() throws BadOption
    {
        check(linkTimeoutMs >= 1, "--link-timeout", "must be at least 1ms", linkTimeoutMs);
    }

    /**
     * Checks the source's link and channels.
     *
     * @param spec the command, to tell an option given from its default.
     */
    void checkSource(final CommandSpec spec) throws BadOption
    {
        check(link.matches("memory|tcp"), "--link", "must be memory or tcp", link);
        check(channels >= 1 && channels <= MigrationLink.MAX_CHANNELS, "--channels", "must be 1 to " +
            MigrationLink.MAX_CHANNELS + ", not", channels);
        check(latencyNs == 0 || link.equals("memory"), "--latency",
            "applies to --link memory only (TCP has loopback's own), not", link);
        checkShared();
        if (to != null)
        {
            final var parsed = spec.commandLine().getParseResult();
            check(!parsed.hasMatchedOption("--link"), "--link",
                "does not apply to --to (the link is TCP to the destination), not", link);
            check(!parsed.hasMatchedOption("--accept-timeout"), "--accept-timeout", "applies to --listen only, not", "--to");
        }
    }

    /** @return {@code --listen}'s address, checked with the destination's own deadline. */
    InetSocketAddress listenAddress() throws BadOption
    {
        checkShared();
        check(acceptTimeoutMs >= 1, "--accept-timeout", "must be at least 1ms", acceptTimeoutMs);
        return address("--listen", listen, true);
    }

    /** @return {@code run} over this link, to {@code --to}'s destination if given. */
    MigrationRun applyTo(final MigrationRun run) throws BadOption
    {
        run.linkTimeoutMs(linkTimeoutMs);
        if (to != null)
        {
            run.to(address("--to", to, false), linkTimeoutMs);
        }
        return run.link(link).latencyNs(latencyNs).channels(channels);
    }

    /** @return {@code HOST:PORT} (an IPv6 host in brackets) resolved; port 0 only where {@code anyPort}. */
    static InetSocketAddress address(final String option, final String text, final boolean anyPort) throws BadOption
    {
        final int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "" : text.substring(0, colon);
        final String port = colon < 0 ? "" : text.substring(colon + 1);
        if (host.startsWith("[") && host.endsWith("]"))
        {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || !port.matches("\\d{1,5}") || Integer.parseInt(port) > 65535 ||
            (!anyPort && Integer.parseInt(port) == 0))
        {
            throw new BadOption(option, "must be HOST:PORT with a port from " + (anyPort ? 0 : 1) + " to 65535: " + text);
        }
        final InetSocketAddress address = new InetSocketAddress(host, Integer.parseInt(port));
        if (address.isUnresolved())
        {
            throw new BadOption(option, "names a host that does not resolve: " + host);
        }
        return address;
    }
}
