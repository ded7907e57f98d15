package io.livemig.cli;

import io.livemig.cli.DestinationOption;
import io.livemig.codec.Simd;
import io.livemig.kernel.KernelTracking;
import picocli.CommandLine.Option;

import java.io.PrintWriter;

/**
 * {@code --verbose}: the diagnostics a normal run keeps to itself, which paths this JVM runs, printed as one
 * line each on stderr, without a timestamp. A picocli mixin ({@code @Mixin VerboseOption verbose}), and the base
 * of {@link io.livemig.cli.migrate.OutputOptions}, since picocli takes no mixin inside an argument group. Filled by picocli, then read
 * on the command's thread; not thread-safe.
 */
public class VerboseOption
{
    @DestinationOption
    @Option(names = "--verbose", order = 6, description = "also print which paths this JVM runs, one line each on stderr: "
        + "the codecs' (SIMD or scalar, and why) and the kernel trackers' (FFM bindings, or why not)")
    boolean verbose;

    /** @return one line: the codecs' path in this JVM, why, and how to choose the other. */
    public static String codecPath()
    {
        return Simd.description();
    }

    /** @return one line: whether this JVM has the kernel trackers' FFM bindings, or why not. */
    public static String kernelPath()
    {
        return KernelTracking.description();
    }

    /** Prints the paths on {@code err} if {@code --verbose} was given. */
    public void print(final PrintWriter err)
    {
        if (verbose)
        {
            err.println("livemig codecs: " + codecPath());
            err.println("livemig kernel trackers: " + kernelPath());
            err.flush();
        }
    }
}
