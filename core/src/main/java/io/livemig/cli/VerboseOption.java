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
    /** System property {@code scripts/livemig-java} sets: the AOT cache it passed, or {@code none: why}. */
    public static final String AOT_PROPERTY = "livemig.aot";

    @DestinationOption
    @Option(names = "--verbose", order = 6, description = "also print which paths this JVM runs, one line each on stderr: "
        + "the codecs' (SIMD or scalar, and why), the kernel trackers' (FFM bindings, or why not), the JVM's start "
        + "(its AOT cache, or why none) and the warm-up's cost")
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

    /**
     * @return one line: how this process started, as {@code scripts/livemig-java} says in {@code -Dlivemig.aot}
     *         (the JDK's ahead-of-time cache it passed, or why none), or that it was started otherwise.
     */
    public static String startupPath()
    {
        final String aot = System.getProperty(AOT_PROPERTY);
        return aot == null ? "no AOT cache: not started by scripts/livemig-java" :
            aot.startsWith("none: ") ? "no AOT cache: " + aot.substring("none: ".length()) : "AOT cache " + aot;
    }

    /** @return whether {@code --verbose} was given. */
    public boolean verbose()
    {
        return verbose;
    }

    /** Prints the paths on {@code err} if {@code --verbose} was given. */
    public void print(final PrintWriter err)
    {
        if (verbose)
        {
            err.println("livemig codecs: " + codecPath());
            err.println("livemig kernel trackers: " + kernelPath());
            err.println("livemig startup: " + startupPath());
            err.flush();
        }
    }
}
