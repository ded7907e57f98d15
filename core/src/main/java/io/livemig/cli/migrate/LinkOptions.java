package io.livemig.cli.migrate;

import io.livemig.cli.BadOption;
import io.livemig.cli.DestinationOption;
import io.livemig.cli.TimeParser;
import io.livemig.migration.MigrationRun;
import io.livemig.migration.link.MigrationLink;
import io.livemig.migration.tls.TlsAuthz;
import io.livemig.migration.tls.TlsConfig;
import io.livemig.migration.tls.TlsCredentials;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

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

    @DestinationOption
    @Option(names = "--tls-creds", paramLabel = "DIR",
        description = "TLS 1.3 on every connection, both peers authenticated by one CA: DIR holds QEMU's layout " +
            "(ca-cert.pem, server-cert.pem, server-key.pem, client-cert.pem, client-key.pem; scripts/tls-creds " +
            "makes one); with --to, --listen, or --link tcp in one process")
    Path tlsCreds;

    @Option(names = "--tls-hostname", paramLabel = "NAME",
        description = "the name the destination's certificate must carry (default: the host of --to)")
    String tlsHostname;

    @DestinationOption
    @Option(names = "--tls-authz", paramLabel = "DN",
        description = "a client certificate subject that may migrate into this destination, as RFC 2253 prints it " +
            "(CN=client1,O=example), matched as an X.500 name; repeatable (default: any client the CA signed)")
    List<String> tlsAuthz = new ArrayList<>();

    @DestinationOption
    @Option(names = "--tls-authz-file", paramLabel = "FILE",
        description = "client subjects that may migrate into this destination, one per line, as --tls-authz")
    Path tlsAuthzFile;

    /** Checks what both roles take. */
    void checkShared() throws BadOption
    {
        check(linkTimeoutMs >= 1, "--link-timeout", "must be at least 1ms", linkTimeoutMs);
        check(tlsCreds != null || tlsHostname == null, "--tls-hostname", "needs --tls-creds, for", tlsHostname);
        check(tlsCreds != null || (tlsAuthz.isEmpty() && tlsAuthzFile == null), "--tls-authz",
            "needs --tls-creds, for", tlsAuthz.isEmpty() ? tlsAuthzFile : tlsAuthz.get(0));
    }

    /** @return the source's TLS, or null without {@code --tls-creds}. */
    TlsConfig sourceTls() throws BadOption
    {
        return tlsCreds == null ? null : TlsConfig.source(credentials(false), tlsHostname);
    }

    /** @return the destination's TLS with its authz list, or null without {@code --tls-creds}. */
    TlsConfig destinationTls() throws BadOption
    {
        if (tlsCreds == null)
        {
            return null;
        }
        TlsAuthz authz;
        try
        {
            authz = TlsAuthz.of(tlsAuthz);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new BadOption("--tls-authz", ex.getMessage());
        }
        if (tlsAuthzFile != null)
        {
            try
            {
                authz = authz.and(TlsAuthz.read(tlsAuthzFile));
            }
            catch (final IOException ex)
            {
                throw new BadOption("--tls-authz-file", ex.getMessage());
            }
        }
        return TlsConfig.destination(credentials(true), authz);
    }

    private TlsCredentials credentials(final boolean server) throws BadOption
    {
        try
        {
            return TlsCredentials.load(tlsCreds, server);
        }
        catch (final IOException ex)
        {
            throw new BadOption("--tls-creds", ex.getMessage());
        }
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
        check(tlsCreds == null || to != null || link.equals("tcp"), "--tls-creds",
            "needs a TCP connection: --to, --listen or --link tcp, not --link", link);
        checkShared();
        if (to != null)
        {
            final var parsed = spec.commandLine().getParseResult();
            check(!parsed.hasMatchedOption("--link"), "--link",
                "does not apply to --to (the link is TCP to the destination), not", link);
            check(!parsed.hasMatchedOption("--accept-timeout"), "--accept-timeout", "applies to --listen only, not", "--to");
            check(tlsAuthz.isEmpty() && tlsAuthzFile == null, "--tls-authz",
                "applies to the destination (--listen, or one process), not", "--to");
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
        run.tls(sourceTls(), to == null ? destinationTls() : null);
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
