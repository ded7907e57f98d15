package io.livemig.bench.report;

import io.livemig.cli.analyze.AnalyzeStreamCommand;
import io.livemig.cli.analyze.QemuGuestCommand;
import io.livemig.cli.migrate.MigrateCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README.md and docs/ tell the truth about what a user types: every option they show after a {@code scripts/}
 * command exists in that command's help, and every link into the tree resolves.
 */
class DocsTest
{
    private static final Path ROOT = Path.of("..");
    /** A {@code scripts/NAME} command up to the end of its line, a backtick, or a shell separator. */
    private static final Pattern COMMAND = Pattern.compile("scripts/([a-z-]+)((?:[^`;&|#\\n]|\\\\\\n)*)");
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--[a-z][a-z0-9-]*)");
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

    /** The picocli spec of each command behind {@code scripts/}. */
    static Map<String, CommandSpec> commandSpecs()
    {
        final Map<String, CommandSpec> specs = new LinkedHashMap<>();
        specs.put("migrate", MigrateCommand.commandLine().getCommandSpec());
        specs.put("analyze-stream", AnalyzeStreamCommand.commandLine().getCommandSpec());
        specs.put("qemu-guest", QemuGuestCommand.commandLine().getCommandSpec());
        specs.put("report", new CommandLine(new ReportCommand()).getCommandSpec());
        specs.put("compare", new CommandLine(new CompareCommand()).getCommandSpec());
        specs.put("tune-granularity", new CommandLine(new TuneGranularityCommand()).getCommandSpec());
        return specs;
    }

    /** The options of each command behind {@code scripts/}, from the commands' own picocli specs. */
    static Map<String, Set<String>> commandOptions()
    {
        final Map<String, Set<String>> options = new LinkedHashMap<>();
        commandSpecs().forEach((command, spec) -> options.put(command, names(spec)));
        return options;
    }

    private static Set<String> names(final CommandSpec spec)
    {
        final Set<String> names = new TreeSet<>();
        spec.options().forEach(o -> names.addAll(List.of(o.names())));
        return names;
    }

    static List<Path> documents() throws IOException
    {
        final List<Path> docs = new ArrayList<>();
        docs.add(ROOT.resolve("README.md"));
        try (Stream<Path> files = Files.list(ROOT.resolve("docs")))
        {
            files.filter(p -> p.toString().endsWith(".md")).sorted().forEach(docs::add);
        }
        return docs;
    }

    @Test
    void everyOptionShownAfterACommandIsInItsHelp() throws IOException
    {
        final Map<String, Set<String>> known = commandOptions();
        final List<String> unknown = new ArrayList<>();
        int checked = 0;
        for (final Path doc : documents())
        {
            final Matcher m = COMMAND.matcher(Files.readString(doc));
            while (m.find())
            {
                final Set<String> options = known.get(m.group(1));
                if (options == null)
                {
                    continue; // a script with no picocli options (fuzz, two-hosts, fault-campaign, livemig-java)
                }
                final Matcher o = OPTION.matcher(m.group(2));
                while (o.find())
                {
                    checked++;
                    if (!options.contains(o.group(1)))
                    {
                        unknown.add(ROOT.relativize(doc) + ": scripts/" + m.group(1) + " " + o.group(1));
                    }
                }
            }
        }
        assertTrue(checked > 20, "found the documented commands' options: " + checked);
        assertEquals(List.of(), unknown);
    }

    /**
     * picocli passes every description line through {@link String#format}; a bare {@code %} makes it print a
     * warning into the user's {@code --help} and show the raw line.
     */
    @Test
    void everyHelpRendersWithoutAWarning()
    {
        final PrintStream stderr = System.err;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        final List<String> bad = new ArrayList<>();
        try
        {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            for (final Map.Entry<String, CommandSpec> command : commandSpecs().entrySet())
            {
                captured.reset();
                final String usage = command.getValue().commandLine().getUsageMessage();
                assertTrue(usage.contains("Usage:"), usage);
                final String warnings = captured.toString(StandardCharsets.UTF_8);
                if (!warnings.isEmpty())
                {
                    bad.add("scripts/" + command.getKey() + ": " + warnings.lines().findFirst().orElse(""));
                }
            }
        }
        finally
        {
            System.setErr(stderr);
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void everyLinkIntoTheTreeResolves() throws IOException
    {
        final List<String> broken = new ArrayList<>();
        int checked = 0;
        for (final Path doc : documents())
        {
            final Matcher m = LINK.matcher(Files.readString(doc));
            while (m.find())
            {
                final String target = m.group(1).replaceFirst("#.*$", "");
                if (target.isEmpty() || target.matches("^[a-z]+:.*"))
                {
                    continue; // an anchor in the same page, or a web address
                }
                checked++;
                if (!Files.exists(doc.getParent().resolve(target)))
                {
                    broken.add(ROOT.relativize(doc) + ": " + m.group(1));
                }
            }
        }
        assertTrue(checked > 10, "found the links: " + checked);
        assertEquals(List.of(), broken);
    }
}
