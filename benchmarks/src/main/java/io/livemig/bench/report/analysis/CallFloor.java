package io.livemig.bench.report.analysis;

import io.livemig.bench.report.stats.Fmt;
import io.livemig.bench.report.stats.Units;
import io.livemig.bench.report.stats.Verdict;
import io.livemig.bench.report.result.JmhResult;
import java.util.List;
import java.util.Optional;

/**
 * The least a C anchor call costs in a run ({@code CallFloorBenchmark}), and which rows it makes call-bound.
 *
 * <p>Each anchor is one JNI call per JMH invocation. A page anchor's invocation is 16384 pages, each handed to a
 * per-page C function; its floor is {@code qemuEmptyPageCalls}, the same loop calling a function that does
 * nothing (ns per page; the JNI call is in it, spread over the pages). A bitmap anchor's invocation is one call
 * over a whole bitmap; its floor is {@code qemuEmptyCall}, one JNI call that does nothing. A row whose C time per
 * unit is below {@value Verdict#CALL_BOUND_FACTOR} x its floor is <b>call-bound</b>: most of what it times is
 * the call, so its ratio says nothing about the code and gets no verdict. The floor's point estimates are used:
 * the factor of 3 is a wide margin, not a test.
 *
 * <p>Immutable; thread-safe.
 *
 * @param pageCallNs  ns per page of {@code qemuEmptyPageCalls}, NaN if the run did not measure it.
 * @param jniCallNs   ns per call of {@code qemuEmptyCall}, NaN if the run did not measure it.
 */
public record CallFloor(double pageCallNs, double jniCallNs)
{
    static final String CLASS = "CallFloorBenchmark";
    static final String PAGE_CALLS = "qemuEmptyPageCalls";
    static final String EMPTY_CALL = "qemuEmptyCall";

    /** A run without the call floor: no row is call-bound. */
    public static final CallFloor NONE = new CallFloor(Double.NaN, Double.NaN);

    /** @return the floor of {@code results}' run. */
    public static CallFloor of(final List<JmhResult> results)
    {
        return new CallFloor(nanos(results, PAGE_CALLS), nanos(results, EMPTY_CALL));
    }

    private static double nanos(final List<JmhResult> results, final String method)
    {
        return results.stream().filter(r -> r.simpleClassName().equals(CLASS) && r.method().equals(method))
            .findFirst().map(r -> r.primary().score() * Units.secondsPerOp(1, r.primary().unit()) * 1e9)
            .orElse(Double.NaN);
    }

    /** @return whether the run measured the floor. */
    public boolean measured()
    {
        return !Double.isNaN(pageCallNs) || !Double.isNaN(jniCallNs);
    }

    /** @return why {@code row} is call-bound, or empty when it is not (or the run has no floor for it). */
    public Optional<String> callBound(final AnchorComparison.Row row)
    {
        final boolean page = row.pair().kind() == AnchorComparison.Kind.PAGE;
        final double floor = page ? pageCallNs : jniCallNs;
        final double c = row.anchor().primary().score() * Units.secondsPerOp(1, row.anchor().primary().unit()) * 1e9;
        if (Double.isNaN(floor) || Double.isNaN(c) || c >= Verdict.CALL_BOUND_FACTOR * floor)
        {
            return Optional.empty();
        }
        return Optional.of("C's " + Fmt.num(c) + " ns" + (page ? "/page" : "") + " is within " +
            Fmt.plain(Verdict.CALL_BOUND_FACTOR) + "x of " + (page ? "an empty per-page call (" : "an empty JNI call (") +
            Fmt.num(floor) + " ns, " + CLASS + "." + (page ? PAGE_CALLS : EMPTY_CALL) + ")");
    }
}
