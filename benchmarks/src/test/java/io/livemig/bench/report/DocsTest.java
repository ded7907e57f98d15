package io.livemig.bench.report;

import io.livemig.cli.analyze.AnalyzeStreamCommand;
import io.livemig.cli.analyze.QemuGuestCommand;
import io.livemig.cli.migrate.MigrateCommand;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine;

import java.io.IOException;
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

    /** The options of each command behind {@code scripts/}, from the commands' own picocli specs. */
    static Map<String, Set<String>> commandOptions()
    {
        final Map<String, Set<String>> options = new LinkedHashMap<>();
        options.put("migrate", names(MigrateCommand.commandLine().getCommandSpec()));
        options.put("analyze-stream", names(AnalyzeStreamCommand.commandLine().getCommandSpec()));
        options.put("qemu-guest", names(QemuGuestCommand.commandLine().getCommandSpec()));
        options.put("report", names(new CommandLine(new ReportCommand()).getCommandSpec()));
        options.put("compare", names(new CommandLine(new CompareCommand()).getCommandSpec()));
        options.put("tune-granularity", names(new CommandLine(new TuneGranularityCommand()).getCommandSpec()));
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
