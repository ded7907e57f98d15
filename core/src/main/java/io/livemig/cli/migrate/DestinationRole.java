package io.livemig.cli.migrate;

import io.livemig.cli.BadOption;
import io.livemig.cli.DestinationOption;
import io.livemig.migration.MigrationListen;
import io.livemig.migration.tls.TlsConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.PrintWriter;
import java.lang.reflect.Field;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code migrate --listen}: the destination, waiting for one migration from a {@code --to} source. It takes
 * only the options marked {@link DestinationOption}, checked as the source checks them; the guest and the
 * stream's options come from the source's handshake. One run per instance, on the command's thread; not
 * thread-safe.
 */
public final class DestinationRole extends Role
{
    /** The destination of {@code command}, with the parameters of {@link Role#Role}. */
    DestinationRole(final MigrateCommand command, final CommandSpec spec, final MigrateCommand.MachineMemory machine)
    {
        super(command, spec, machine);
    }

    /** @return the long names of the options a destination takes, in the help's order. */
    static List<String> options(final CommandSpec spec)
    {
        return spec.options().stream().filter(DestinationRole::takes).map(OptionSpec::longestName)
            .collect(Collectors.toList());
    }

    private static boolean takes(final OptionSpec option)
    {
        return option.userObject() instanceof Field field && field.isAnnotationPresent(DestinationOption.class);
    }

    @Override
    int run(final PrintWriter out, final PrintWriter err)
    {
        final LinkOptions link = command.link;
        final TrackerOptions trackers = command.trackers;
        final InetSocketAddress bind;
        final TlsConfig tls;
        try
        {
            for (final OptionSpec o : spec.commandLine().getParseResult().matchedOptions())
            {
                if (!takes(o))
                {
                    throw new BadOption(o.longestName(), "does not apply to --listen (the source's handshake brings the " +
                        "guest and the stream's options; --listen takes " + String.join(", ", options(spec)) + ")");
                }
            }
            trackers.checkShared();
            bind = link.listenAddress();
            tls = link.destinationTls();
        }
        catch (final BadOption ex)
        {
            return usage(err, ex.getMessage());
        }
        command.output.print(err);
        return guard(err, "the source's guest cannot be allocated here", MigrateCommand.EXIT_FAILED, () ->
        {
            try (MigrationListen listener = new MigrationListen(bind, link.acceptTimeoutMs, link.linkTimeoutMs)
                .recoverTimeout(trackers.recoverTimeoutMs).kernelFaults(trackers.kernelFaults()).tls(tls)
                .requirePreempt(trackers.postcopyPreempt))
            {
                final InetSocketAddress at = listener.open();
                err.println("migrate: listening on " + at.getAddress().getHostAddress() + ":" + at.getPort());
                err.flush();
                return command.output.report(listener.run(machine().available()), true, out, err);
            }
        });
    }
}
