package io.livemig.bench.run.setup;

import io.livemig.bench.run.preset.BenchKind;
import io.livemig.bench.state.RealGuestPages;
import io.livemig.qemu.RealGuestCorpus;
import io.livemig.qemu.guest.GuestImages;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.openjdk.jmh.runner.options.Options;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The real-guest input of one run ({@link io.livemig.bench.state.RealGuestPages}): the corpus of pages of a
 * Linux guest that QEMU migrated, found in the cache, or made there once when QEMU can be had (a guest boots
 * and migrates under TCG, about 20 s). Where neither is possible the run goes on without the real-guest rows,
 * and says so in one line. The corpus's figures (zero pages, XBZRLE, LZ4, where it came from) go to env.json,
 * for the report's *Real guest* section.
 *
 * @param available whether the real-guest rows run.
 * @param skipped   one line if they do not.
 * @param forkArgs  the JVM option that names the corpus to the forks.
 * @param env       what env.json records under {@code realGuest}.
 */
public record RealGuestSetup(boolean available, List<String> skipped, List<String> forkArgs, Map<String, Object> env)
{
    /**
     * The real-guest rows of the codec benchmarks: by class, the parameters that select the real guest's pages
     * ({@link RealGuestPages#INPUT}) and the other values those rows take. They are not among the classes' own
     * parameter values: {@code io.livemig.bench.run.RunPlan} adds them as batches of their own where a corpus can be
     * had.
     */
    public static final Map<String, Map<String, String>> PARAMS = Map.of(
        "XbzrleEncodeBenchmark", Map.of("pattern", RealGuestPages.INPUT),
        "XbzrleDecodeBenchmark", Map.of("pattern", RealGuestPages.INPUT),
        "ZeroPageBenchmark", Map.of("input", RealGuestPages.INPUT, "workingSet", "64m"),
        "Lz4Benchmark", Map.of("data", RealGuestPages.INPUT),
        "PageStreamBenchmark", Map.of("mix", RealGuestPages.INPUT));

    /** @return the setup of a run that selects no codec benchmark with a real-guest input. */
    public static RealGuestSetup none()
    {
        return new RealGuestSetup(false, List.of(), List.of(),
            Map.of("available", false, "reason", "no codec benchmark selected by -Dbench.include"));
    }

    /** @return whether {@code benchmark} takes the real-guest input. */
    public static boolean takesRealGuest(final String benchmark)
    {
        final String className = BenchKind.classOf(benchmark);
        return PARAMS.containsKey(className.substring(className.lastIndexOf('.') + 1));
    }

    /** @return the real-guest parameters of {@code benchmark}'s class, or null if it has none or the user set one. */
    public static Map<String, String> params(final String benchmark, final Options user)
    {
        final String className = BenchKind.classOf(benchmark);
        final Map<String, String> params = PARAMS.get(className.substring(className.lastIndexOf('.') + 1));
        return params == null || params.keySet().stream().anyMatch(p -> user.getParameter(p).hasValue()) ? null :
            params;
    }

    /**
     * Finds the corpus in {@code dir}, or makes it there if QEMU can be had.
     *
     * @param out told, in one line, that the corpus is being made.
     */
    public static RealGuestSetup prepare(final Path dir, final PrintStream out)
    {
        if (!RealGuestCorpus.exists(dir))
        {
            final String why = GuestImages.whyNoQemu();
            if (why != null)
            {
                return unavailable("no real-guest corpus in " + dir + ", and none can be made here: " + why);
            }
            out.println("bench: making the real-guest corpus once (a QEMU guest boots and migrates, about 20 s) in " +
                dir);
            try
            {
                final GuestImages images = GuestImages.prepare(GuestImages.defaultCache(), true, line -> { });
                RealGuestCorpus.generate(images, dir, line -> { });
            }
            catch (final IOException | RuntimeException ex)
            {
                return unavailable("making the real-guest corpus failed: " + ex.getMessage());
            }
        }
        final RealGuestCorpus corpus;
        try
        {
            corpus = RealGuestCorpus.load(dir);
        }
        catch (final IOException ex)
        {
            return unavailable(ex.getMessage());
        }
        final Map<String, Object> env = new LinkedHashMap<>();
        env.put("available", true);
        env.put("dir", dir.toAbsolutePath().toString());
        env.put("corpus", new ObjectMapper().convertValue(corpus.meta(), Map.class));
        return new RealGuestSetup(true, List.of(),
            List.of("-D" + RealGuestCorpus.PROPERTY + "=" + dir.toAbsolutePath()), env);
    }

    private static RealGuestSetup unavailable(final String reason)
    {
        final String line = "real-guest rows not measured: " + reason.lines().findFirst().orElse("");
        return new RealGuestSetup(false, List.of(line), List.of(), Map.of("available", false, "reason", line));
    }

    /** @return the corpus's figures as env.json holds them (for tests). */
    public JsonNode corpusJson()
    {
        return new ObjectMapper().valueToTree(env.get("corpus"));
    }
}
