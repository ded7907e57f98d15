package io.livemig.bench.run;

import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The main job behind {@code mvn -B verify -Pbench}: runs the selected benchmarks with a preset's forks and
 * iterations and writes JMH's JSON to {@code results/<UTC date-time>-<preset>/jmh.json}.
 *
 * <p>Not thread-safe; one run per JVM.
 */
public final class BenchRunner
{
    /** JVM options every fork needs: Agrona reaches jdk.internal.misc.Unsafe. */
    static final String[] FORK_JVM_ARGS = {"--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED"};

    private BenchRunner()
    {
    }

    /**
     * @param args {@code --preset=quick|full|smoke --include=REGEX --jmh-args="..." --jdk=PATH --results=DIR}
     */
    public static void main(final String[] args) throws IOException, RunnerException
    {
        String preset = "quick";
        String include = ".*";
        String jmhArgs = "";
        String jdk = "";
        Path results = Path.of("results");
        for (final String arg : args)
        {
            final int eq = arg.indexOf('=');
            final String key = eq < 0 ? arg : arg.substring(0, eq);
            final String value = eq < 0 ? "" : arg.substring(eq + 1);
            switch (key)
            {
                case "--preset": preset = value.isEmpty() ? "quick" : value.toLowerCase(Locale.ROOT); break;
                case "--include": include = value.isEmpty() ? ".*" : value; break;
                case "--jmh-args": jmhArgs = value; break;
                case "--jdk": jdk = value; break;
                case "--results": results = Path.of(value); break;
                default:
                    System.err.println("bench: unknown option " + arg);
                    System.exit(2);
            }
        }

        final ChainedOptionsBuilder options = new OptionsBuilder().include(include).jvmArgsPrepend(FORK_JVM_ARGS);
        switch (preset)
        {
            case "smoke":
                options.forks(1).warmupIterations(1).warmupTime(TimeValue.milliseconds(100))
                    .measurementIterations(1).measurementTime(TimeValue.milliseconds(200));
                break;
            case "quick":
                options.forks(1).warmupIterations(3).warmupTime(TimeValue.milliseconds(500))
                    .measurementIterations(5).measurementTime(TimeValue.milliseconds(500));
                break;
            case "full":
                options.forks(3).warmupIterations(5).warmupTime(TimeValue.seconds(1))
                    .measurementIterations(5).measurementTime(TimeValue.seconds(1));
                break;
            default:
                System.err.println("bench: unknown preset '" + preset + "' (expected quick, full or smoke)");
                System.exit(2);
        }
        final String javaHome = jdk.isEmpty() ? System.getenv("JAVA_HOME") : jdk;
        if (javaHome != null && !javaHome.isEmpty())
        {
            final Path java = Path.of(javaHome, "bin", "java");
            if (!Files.isExecutable(java))
            {
                System.err.println("bench: no java executable at " + java + " (from -Dbench.jdk or JAVA_HOME)");
                System.exit(2);
            }
            options.jvm(java.toString());
        }
        if (!jmhArgs.isBlank())
        {
            try
            {
                options.parent(new CommandLineOptions(jmhArgs.trim().split("\\s+")));
            }
            catch (final CommandLineOptionException ex)
            {
                System.err.println("bench: bad -Dbench.args: " + ex.getMessage());
                System.exit(2);
            }
        }

        final String stamp = ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"));
        final Path dir = results.resolve(stamp + "-" + preset);
        Files.createDirectories(dir);
        final Path json = dir.resolve("jmh.json");
        options.resultFormat(ResultFormatType.JSON).result(json.toString());
        new Runner(options.build()).run();
        System.out.println("bench: results in " + dir);
    }
}
