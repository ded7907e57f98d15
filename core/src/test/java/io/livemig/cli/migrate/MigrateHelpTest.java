package io.livemig.cli.migrate;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code scripts/migrate --help}: the options under their groups' headings, in the groups' order, every option
 * of the command as it was before the groups (names are a published interface), and the options a
 * {@code --listen} destination takes, the same in the help and in its refusal.
 */
class MigrateHelpTest
{
    /** Every option {@code migrate} has had; a rename or a removal breaks users' scripts. */
    private static final Set<String> OPTIONS = Set.of("--memory", "--page-size", "--mode", "--bandwidth", "--downtime",
        "--writers", "--pattern", "--dirty-rate", "--bytes-per-touch", "--fill", "--xbzrle", "--xbzrle-cache", "--lz4",
        "--auto-converge", "--compute-vcpus", "--tracker", "--faults", "--huge-pages", "--ring-size", "--dirty-limit",
        "--dirty-limit-period", "--policy", "--max-rounds", "--max-time", "--on-give-up", "--postcopy-after",
        "--prepage", "--device-state", "--link", "--channels", "--latency", "--before", "--after", "--seed", "--json",
        "--verify", "--capture", "--quiet", "--listen", "--to", "--link-timeout", "--accept-timeout", "--recover",
        "--recover-timeout", "--result", "--fault", "--help", "--version", "--verbose", "--baseline-copy", "--tls-creds",
        "--tls-hostname", "--tls-authz", "--tls-authz-file", "--postcopy-preempt", "--from", "--snapshot", "--restore",
        "--direct-io", "--diff-from");

    /** What a destination took before the groups, and {@code --verbose}. */
    private static final Set<String> DESTINATION = Set.of("--listen", "--faults", "--link-timeout", "--accept-timeout",
        "--recover-timeout", "--json", "--result", "--quiet", "--verbose", "--tls-creds", "--tls-authz", "--tls-authz-file",
        "--postcopy-preempt");

    @Test
    void everyOptionKeepsItsName()
    {
        final Set<String> names = MigrateCommand.commandLine().getCommandSpec().options().stream()
            .map(OptionSpec::longestName).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(new TreeSet<>(OPTIONS), names);
    }

    @Test
    void helpShowsTheGroupsUnderTheirHeadingsInOrder()
    {
        final MigrateCommandTest.Run r = new MigrateCommandTest.Run(MigrateCommand.commandLine(), "--help");
        assertEquals(0, r.code, r.err);
        final List<String> headings = List.of("Guest and workload (the source's):", "Migration parameters (the source's):",
            "Link and channels:", "Trackers, faults and recovery:",
            "Snapshots (--to file:PATH saves, --from file:PATH restores):", "Output:", "Help:");
        final List<String> lines = r.out.lines().collect(Collectors.toList());
        int last = -1;
        for (final String heading : headings)
        {
            final int at = lines.indexOf(heading);
            assertTrue(at > last, () -> heading + " after the one before it:\n" + r.out);
            last = at;
        }
        // each option under its group's heading
        assertUnder(lines, "Guest and workload (the source's):", "--memory=SIZE", "--seed=N");
        assertUnder(lines, "Migration parameters (the source's):", "--mode=MODE", "--dirty-limit-period=TIME");
        assertUnder(lines, "Link and channels:", "--listen=HOST:PORT", "--accept-timeout=TIME");
        assertUnder(lines, "Trackers, faults and recovery:", "--tracker=KIND", "--recover-timeout=TIME");
        assertUnder(lines, "Output:", "--json", "--verbose");
        assertUnder(lines, "Help:", "-h, --help", "-V, --version");
        for (final String line : lines)
        {
            assertTrue(line.length() <= 80, () -> "80 columns: '" + line + "'");
        }
    }

    @Test
    void theDestinationsOptionsAreListedWhereTheyAreDeclared()
    {
        final List<String> listed = DestinationRole.options(MigrateCommand.commandLine().getCommandSpec());
        assertEquals(new TreeSet<>(DESTINATION), new TreeSet<>(listed));
        final MigrateCommandTest.Run help = new MigrateCommandTest.Run(MigrateCommand.commandLine(), "--help");
        assertTrue(help.out.replaceAll("\\s+", " ").contains("A --listen destination takes " + String.join(", ", listed) +
            " and learns the rest from its source."), help.out);
        final MigrateCommandTest.Run refused = new MigrateCommandTest.Run(MigrateCommand.commandLine(),
            "--listen", "127.0.0.1:0", "--verify");
        assertEquals(2, refused.code, refused.err);
        assertEquals("migrate: --verify does not apply to --listen (the source's handshake brings the guest and the " +
            "stream's options; --listen takes " + String.join(", ", listed) + ")", refused.err.strip());
    }

    /** Asserts that the heading's section, up to the next blank line, holds lines starting with each option. */
    private static void assertUnder(final List<String> lines, final String heading, final String... options)
    {
        final List<String> section = new ArrayList<>();
        for (int i = lines.indexOf(heading) + 1; i < lines.size() && !lines.get(i).isBlank(); i++)
        {
            section.add(lines.get(i).strip());
        }
        for (final String option : options)
        {
            assertTrue(section.stream().anyMatch(l -> l.startsWith(option)), () -> option + " under " + heading + ": " +
                section);
        }
    }
}
