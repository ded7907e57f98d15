package io.livemig.bench.run;

import io.livemig.bench.run.preset.BenchKind;
import io.livemig.bench.run.preset.Preset;
import io.livemig.bench.run.setup.RealGuestSetup;
import io.livemig.bench.state.RealGuestPages;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * What a run will do: the selected benchmarks split by {@link BenchKind} and, within a kind, by the preset's
 * sizing of their class (JMH takes forks and iterations per {@link org.openjdk.jmh.runner.Runner} call, so each
 * distinct sizing is its own batch), one JMH {@link Options} per batch (the sizing, the gc profiler on hot
 * paths, the user's pass-through options on top), and an estimate of each benchmark's duration for the
 * progress line.
 *
 * <p>The user's {@code -Dbench.args} win over the preset: a preset value is set only where the user gave
 * none. Options that would take the run's output away from {@code results/} or turn the run into a listing
 * are refused.
 *
 * <p>Immutable once built; not shared between threads.
 */
public final class RunPlan
{

    /**
     * One JMH invocation of the plan: benchmarks of one kind and one sizing, and their options.
     *
     * @param kind          the kind of every benchmark in the batch.
     * @param benchmarks    their full names, sorted.
     * @param runs          benchmark runs (benchmark x parameter set) the batch holds.
     * @param secondsPerRun estimated seconds of one run, all its forks included.
     * @param options       the JMH options of the batch.
     * @param presetForks   the forks the preset gives the batch's classes (the user's {@code -f} may differ).
     */
    public record Batch(BenchKind kind, List<String> benchmarks, int runs, double secondsPerRun, Options options,
                        int presetForks)
    {
        /** @return the forks the batch will run: the user's {@code -f}, else the preset's. */
        public int forks()
        {
            return options.getForkCount().orElse(presetForks);
        }
    }

    private final Preset preset;
    private final List<Batch> batches;

    private RunPlan(final Preset preset, final List<Batch> batches)
    {
        this.preset = preset;
        this.batches = batches;
    }

    /** @return the preset. */
    public Preset preset()
    {
        return preset;
    }

    /**
     * @return the batches, in run order: hot paths, other timed benchmarks, sweeps, single shots; batches of
     *         one kind in the order of their first benchmark.
     */
    public List<Batch> batches()
    {
        return batches;
    }

    /**
     * {@code java -cp benchmarks.jar io.livemig.bench.run.RunPlan [--preset=quick|full|smoke] [--include=REGEX]}:
     * prints what a run of the compiled suite would hold and how long the plan estimates it, C anchors included
     * (a machine without a C compiler or AVX-512BW runs fewer), then one line per batch. Without
     * {@code --preset}, prints every preset's total.
     */
    public static void main(final String[] args)
    {
        String preset = null;
        String include = ".*";
        for (final String arg : args)
        {
            if (arg.startsWith("--preset="))
            {
                preset = arg.substring("--preset=".length());
            }
            else if (arg.startsWith("--include="))
            {
                include = arg.substring("--include=".length());
            }
            else
            {
                System.err.println("plan: unknown option '" + arg + "' (expected --preset=, --include=)");
                System.exit(2);
            }
        }
        final Collection<BenchmarkListEntry> entries = org.openjdk.jmh.runner.BenchmarkList.defaultList().find(
            org.openjdk.jmh.runner.format.OutputFormatFactory.createFormatInstance(
                new java.io.PrintStream(java.io.OutputStream.nullOutputStream()),
                org.openjdk.jmh.runner.options.VerboseMode.SILENT), List.of(".*"), List.of());
        for (final Preset p : preset == null ? List.of(Preset.values()) : List.of(Preset.parse(preset)))
        {
            final RunPlan plan = build(p, include, parseUserArgs(""), null, entries);
            System.out.println(plan.summary());
            if (preset != null)
            {
                plan.batches().forEach(b -> System.out.println("  " + describe(b)));
            }
        }
    }

    /** @return e.g. {@code quick: 460 runs in 7 batches, estimated 26.3 min}. */
    public String summary()
    {
        return String.format(java.util.Locale.ROOT, "%s: %d runs in %d batches, estimated %.1f min", preset.id(),
            totalRuns(), batches.size(), estimateSeconds() / 60);
    }

    /** @return one batch as a line: kind, runs x seconds, total, classes. */
    static String describe(final Batch batch)
    {
        return String.format(java.util.Locale.ROOT, "%-11s %3d runs x %5.2f s = %6.1f s  %d forks  %s", batch.kind(),
            batch.runs(), batch.secondsPerRun(), batch.runs() * batch.secondsPerRun(), batch.forks(),
            batch.benchmarks().stream().map(BenchKind::classOf).distinct()
                .map(c -> c.substring(c.lastIndexOf('.') + 1)).toList());
    }

    /** @return the plan's estimated duration, seconds: each batch's runs x its seconds per run. */
    public double estimateSeconds()
    {
        return batches.stream().mapToDouble(b -> b.runs() * b.secondsPerRun()).sum();
    }

    /**
     * @return one line per batch whose forks are fewer than its preset gives it (a {@code -f} below the preset),
     *         e.g. {@code 3 forks for XbzrleEncodeBenchmark, where full gives 5}; empty when none is.
     */
    public List<String> forksBelowPreset()
    {
        final List<String> below = new ArrayList<>();
        for (final Batch batch : batches)
        {
            if (batch.forks() < batch.presetForks())
            {
                below.add(batch.forks() + " fork" + (batch.forks() == 1 ? "" : "s") + " for " +
                    String.join(", ", batch.benchmarks().stream().map(BenchKind::classOf).distinct()
                        .map(c -> c.substring(c.lastIndexOf('.') + 1)).toList()) + ", where " + preset.id() +
                    " gives " + batch.presetForks());
            }
        }
        return below;
    }

    /** @return how many benchmark runs (benchmark x parameter set x mode) the plan holds. */
    public int totalRuns()
    {
        return batches.stream().mapToInt(Batch::runs).sum();
    }

    /**
     * Parses {@code -Dbench.args} as JMH command-line options, refusing those the runner owns.
     *
     * @param jmhArgs the options as one string; single or double quotes group words.
     * @return the parsed options.
     * @throws IllegalArgumentException with a one-line message naming what was wrong.
     */
    public static CommandLineOptions parseUserArgs(final String jmhArgs)
    {
        final List<String> tokens = tokenize(jmhArgs == null ? "" : jmhArgs);
        final CommandLineOptions options;
        try
        {
            options = new CommandLineOptions(tokens.toArray(new String[0]));
        }
        catch (final CommandLineOptionException ex)
        {
            throw new IllegalArgumentException("bad -Dbench.args '" + jmhArgs + "': " + oneLine(ex.getMessage()), ex);
        }
        if (!options.getIncludes().isEmpty())
        {
            throw new IllegalArgumentException("bad -Dbench.args '" + jmhArgs + "': benchmark patterns " +
                options.getIncludes() + " belong in -Dbench.include");
        }
        if (options.getResult().hasValue() || options.getResultFormat().hasValue() || options.getOutput().hasValue())
        {
            throw new IllegalArgumentException("bad -Dbench.args '" + jmhArgs +
                "': -rf, -rff and -o are set by the runner (it writes results/<time>-<preset>/jmh.json)");
        }
        if (options.shouldHelp() || options.shouldList() || options.shouldListWithParams() ||
            options.shouldListProfilers() || options.shouldListResultFormats())
        {
            throw new IllegalArgumentException("bad -Dbench.args '" + jmhArgs +
                "': -h and the -l* listings do not run benchmarks; use java -jar benchmarks/target/benchmarks.jar -l");
        }
        return options;
    }

    /**
     * Splits a command line into words at white space; single or double quotes group words.
     *
     * @throws IllegalArgumentException if a quote is not closed.
     */
    static List<String> tokenize(final String line)
    {
        final List<String> tokens = new ArrayList<>();
        final StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++)
        {
            final char c = line.charAt(i);
            if (quote != 0)
            {
                if (c == quote)
                {
                    quote = 0;
                }
                else
                {
                    word.append(c);
                }
            }
            else if (c == '"' || c == '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (Character.isWhitespace(c))
            {
                if (inWord)
                {
                    tokens.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            }
            else
            {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0)
        {
            throw new IllegalArgumentException("bad -Dbench.args '" + line + "': unclosed " + quote);
        }
        if (inWord)
        {
            tokens.add(word.toString());
        }
        return tokens;
    }

    private static String oneLine(final String message)
    {
        return message == null ? "" : message.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /**
     * Builds the plan.
     *
     * @param preset   the preset.
     * @param include  JMH include regex over benchmark names ({@code -Dbench.include}).
     * @param user     the user's pass-through options ({@link #parseUserArgs}).
     * @param jvm      path of the forks' java executable, or null for JMH's default (the running JVM).
     * @param entries  the benchmarks compiled into the jar ({@code BenchmarkList.defaultList()} entries).
     * @return the plan; it may hold no batch when nothing matches.
     * @throws IllegalArgumentException if {@code include} is not a valid regex.
     */
    public static RunPlan build(final Preset preset, final String include, final CommandLineOptions user,
                                final String jvm, final Collection<BenchmarkListEntry> entries)
    {
        return build(preset, include, user, jvm, entries, List.of(), List.of());
    }

    /**
     * Builds the plan with the runner's own additions: benchmarks it must leave out (e.g. C anchors that
     * could not be built) and JVM options every fork needs (prepended, after any the user prepends).
     *
     * @param excludes  regexes over benchmark names, as JMH's {@code -e}.
     * @param forkArgs  JVM options for every fork.
     * @see #build(Preset, String, CommandLineOptions, String, Collection)
     */
    public static RunPlan build(final Preset preset, final String include, final CommandLineOptions user,
                                final String jvm, final Collection<BenchmarkListEntry> entries,
                                final List<String> excludes, final List<String> forkArgs)
    {
        return build(preset, include, user, jvm, entries, excludes, forkArgs, false);
    }

    /**
     * As {@link #build(Preset, String, CommandLineOptions, String, Collection, List, List)}, with, if {@code
     * realGuest}, the real-guest rows of the selected codec benchmarks ({@link RealGuestSetup#PARAMS}) as batches
     * of their own, unless the user set the parameter that selects them.
     */
    public static RunPlan build(final Preset preset, final String include, final CommandLineOptions user,
                                final String jvm, final Collection<BenchmarkListEntry> entries,
                                final List<String> excludes, final List<String> forkArgs, final boolean realGuest)
    {
        final Pattern pattern;
        try
        {
            pattern = Pattern.compile(include);
        }
        catch (final PatternSyntaxException ex)
        {
            throw new IllegalArgumentException(
                "bad -Dbench.include '" + include + "': " + oneLine(ex.getDescription()), ex);
        }
        final List<Pattern> excluded = new ArrayList<>();
        for (final String exclude : user.getExcludes())
        {
            excluded.add(Pattern.compile(exclude));
        }
        excludes.forEach(e -> excluded.add(Pattern.compile(e)));
        final Map<BatchKey, TreeSet<String>> names = new HashMap<>();
        final Map<BatchKey, List<BenchmarkListEntry>> selected = new HashMap<>();
        final Collection<Mode> userModes = user.getBenchModes();
        for (final BenchmarkListEntry entry : entries)
        {
            final String name = entry.getUsername();
            if (!pattern.matcher(name).find() || excluded.stream().anyMatch(e -> e.matcher(name).find()))
            {
                continue;
            }
            final Collection<Mode> modes = userModes.isEmpty() ? List.of(entry.getMode()) : userModes;
            for (final Mode mode : modes)
            {
                final BenchKind kind = BenchKind.of(name, mode);
                final Map<String, String[]> presetParams = preset.paramOverrides(kind, name);
                final BatchKey key = new BatchKey(kind, preset.sizing(kind, name),
                    kind == BenchKind.SINGLE_SHOT ? RunEstimate.shotSeconds(name, guests(user, presetParams)) : 0,
                    new ParamOverrides(presetParams));
                names.computeIfAbsent(key, k -> new TreeSet<>()).add(name);
                selected.computeIfAbsent(key, k -> new ArrayList<>()).add(entry);
                final Map<String, String> real = realGuest ? RealGuestSetup.params(name, user) : null;
                if (real != null)
                {
                    final Map<String, String[]> merged = new java.util.TreeMap<>(key.params().values());
                    real.forEach((param, value) -> merged.put(param, new String[] {value}));
                    final BatchKey realKey = new BatchKey(key.kind(), key.sizing(), key.shotSeconds(),
                        new ParamOverrides(merged));
                    names.computeIfAbsent(realKey, k -> new TreeSet<>()).add(name);
                    selected.computeIfAbsent(realKey, k -> new ArrayList<>()).add(entry);
                }
            }
        }
        final List<Batch> batches = new ArrayList<>();
        for (final Map.Entry<BatchKey, TreeSet<String>> e : names.entrySet())
        {
            final BatchKey key = e.getKey();
            final boolean opensAppended = !user.getJvmArgsAppend().hasValue() &&
                selected.get(key).stream().allMatch(BatchOptions::appendsForkJvmArgs);
            final Options options = BatchOptions.of(preset, key.kind(), key.sizing(), key.params().values(), user, jvm,
                e.getValue(), opensAppended, forkArgs);
            final int runs = selected.get(key).stream().mapToInt(entry -> parameterSets(entry, options)).sum();
            batches.add(new Batch(key.kind(), List.copyOf(e.getValue()), runs,
                RunEstimate.seconds(options, key.kind(), key.shotSeconds()), options, key.sizing().forks()));
        }
        batches.sort(Comparator.comparing((Batch b) -> b.kind()).thenComparing(b -> b.benchmarks().get(0))
            .thenComparing(RunPlan::isRealGuest));
        return new RunPlan(preset, List.copyOf(batches));
    }

    /** @return the {@code guest} values a run takes: the user's {@code -p guest=}, else the preset's, else none set. */
    private static Collection<String> guests(final CommandLineOptions user, final Map<String, String[]> presetParams)
    {
        if (user.getParameter("guest").hasValue())
        {
            return user.getParameter("guest").get();
        }
        return presetParams.containsKey("guest") ? List.of(presetParams.get("guest")) : List.of();
    }

    /**
     * What puts two benchmarks in one batch: the same kind, sizing, (single shots) seconds per shot and preset
     * {@code @Param} values (JMH takes them per {@link org.openjdk.jmh.runner.Runner} call).
     */
    private record BatchKey(BenchKind kind, Preset.Sizing sizing, double shotSeconds, ParamOverrides params)
    {
    }

    /** A preset's {@code @Param} values, comparable by content (arrays are not). */
    private record ParamOverrides(Map<String, String[]> values)
    {
        @Override
        public boolean equals(final Object o)
        {
            return o instanceof ParamOverrides other && text().equals(other.text());
        }

        @Override
        public int hashCode()
        {
            return text().hashCode();
        }

        private String text()
        {
            final StringBuilder text = new StringBuilder();
            new java.util.TreeMap<>(values).forEach((k, v) -> text.append(k).append('=')
                .append(String.join(",", v)).append(';'));
            return text.toString();
        }
    }

    /** @return whether {@code batch} holds real-guest rows. */
    public static boolean isRealGuest(final Batch batch)
    {
        return RealGuestSetup.PARAMS.values().stream().flatMap(m -> m.keySet().stream())
            .anyMatch(p -> batch.options().getParameter(p).orElse(List.of()).contains(RealGuestPages.INPUT));
    }

    /** @return how many parameter sets JMH will run for {@code entry} under {@code options} (their -p overrides). */
    static int parameterSets(final BenchmarkListEntry entry, final Options options)
    {
        int sets = 1;
        if (entry.getParams().hasValue())
        {
            for (final Map.Entry<String, String[]> param : entry.getParams().get().entrySet())
            {
                final org.openjdk.jmh.util.Optional<Collection<String>> override = options.getParameter(param.getKey());
                sets *= override.hasValue() ? override.get().size() : param.getValue().length;
            }
        }
        return sets;
    }

    /** @return whether the plan runs any benchmark whose name matches {@code test}. */
    public boolean runsAny(final java.util.function.Predicate<String> test)
    {
        return batches.stream().flatMap(b -> b.benchmarks().stream()).anyMatch(test);
    }

    /** @return the batch that runs {@code benchmark}, if any. */
    public Optional<Batch> batchOf(final String benchmark)
    {
        return batches.stream().filter(b -> b.benchmarks().contains(benchmark)).findFirst();
    }
}
