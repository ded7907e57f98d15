package io.livemig.cli.migrate;

import io.livemig.cli.SizeParser;
import io.livemig.cli.TimeParser;
import io.livemig.migration.fault.FaultPlan;
import picocli.CommandLine;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Parses {@code --fault SPEC} into a {@link FaultPlan}: rules separated by commas, each {@code ACTION@TRIGGER}.
 * <pre>
 *   ACTION  := cut | cut-preempt | stall:TIME | throttle:RATE        TIME as 300ms, 2s; RATE in bytes/s as 10m (= 10 MiB/s)
 *   TRIGGER := SIZE                                    after that many forward bytes, e.g. 0, 64k, 10m
 *            | setup | precopy | round:N | switchover | postcopy
 * </pre>
 * {@code round:N} is the start of pre-copy round N (from 0), {@code switchover} the stop-and-copy phase; a
 * throttle without a trigger applies from the start. Examples: {@code cut@10m}, {@code cut@round:2},
 * {@code stall:5s@postcopy}, {@code throttle:20m,cut@switchover}. Stateless; thread-safe.
 */
public final class FaultSpecParser
{
    private FaultSpecParser()
    {
    }

    /**
     * @param text the spec.
     * @return the plan; {@link FaultPlan#NONE} for {@code none}.
     * @throws IllegalArgumentException naming the rule and what is wrong with it.
     */
    public static FaultPlan parse(final String text)
    {
        final String spec = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (spec.isEmpty())
        {
            throw new IllegalArgumentException("empty fault spec: expected e.g. cut@10m, stall:2s@round:1, " +
                "throttle:20m or none");
        }
        if (spec.equals("none"))
        {
            return FaultPlan.NONE;
        }
        final List<FaultPlan.Rule> rules = new ArrayList<>();
        for (final String rule : spec.split(",", -1))
        {
            try
            {
                rules.add(rule(rule.trim()));
            }
            catch (final IllegalArgumentException ex)
            {
                throw new IllegalArgumentException("fault rule '" + rule.trim() + "': " + ex.getMessage(), ex);
            }
        }
        return new FaultPlan(rules);
    }

    private static FaultPlan.Rule rule(final String rule)
    {
        final int at = rule.indexOf('@');
        final String action = at < 0 ? rule : rule.substring(0, at);
        final String trigger = at < 0 ? null : rule.substring(at + 1);
        if (action.equals("cut-preempt"))
        {
            return new FaultPlan.Rule(FaultPlan.Action.CUT_PREEMPT, trigger(required(trigger, "cut-preempt")), 0, 0);
        }
        if (action.equals("cut"))
        {
            return new FaultPlan.Rule(FaultPlan.Action.CUT, trigger(required(trigger, "cut")), 0, 0);
        }
        if (action.startsWith("stall:"))
        {
            final long nanos = TimeParser.parseNanos(action.substring("stall:".length()));
            if (nanos <= 0)
            {
                throw new IllegalArgumentException("a stall needs a positive duration");
            }
            return new FaultPlan.Rule(FaultPlan.Action.STALL, trigger(required(trigger, "stall")), nanos, 0);
        }
        if (action.startsWith("throttle:"))
        {
            final long rate = SizeParser.parse(action.substring("throttle:".length()));
            if (rate <= 0)
            {
                throw new IllegalArgumentException("a throttle needs a positive rate");
            }
            return new FaultPlan.Rule(FaultPlan.Action.THROTTLE, trigger == null ? FaultPlan.Trigger.afterBytes(0) :
                trigger(trigger), 0, rate);
        }
        throw new IllegalArgumentException("unknown action '" + action + "': expected cut, cut-preempt, stall:TIME or throttle:RATE");
    }

    private static String required(final String trigger, final String action)
    {
        if (trigger == null || trigger.isEmpty())
        {
            throw new IllegalArgumentException("a " + action + " needs a trigger: @BYTES, @setup, @precopy, " +
                "@round:N, @switchover or @postcopy");
        }
        return trigger;
    }

    private static FaultPlan.Trigger trigger(final String trigger)
    {
        switch (trigger)
        {
            case "setup":
            case "precopy":
            case "postcopy":
                return FaultPlan.Trigger.atPhase(trigger, -1);
            case "switchover":
            case "stop-and-copy":
                return FaultPlan.Trigger.atPhase("stop-and-copy", -1);
            default:
                break;
        }
        if (trigger.startsWith("round:"))
        {
            final String n = trigger.substring("round:".length());
            if (n.isEmpty() || !n.chars().allMatch(c -> c >= '0' && c <= '9') || n.length() > 9)
            {
                throw new IllegalArgumentException("round:N needs a round number from 0, got '" + n + "'");
            }
            return FaultPlan.Trigger.atPhase("precopy", Long.parseLong(n));
        }
        return FaultPlan.Trigger.afterBytes(SizeParser.parse(trigger));
    }

    /** picocli converter for {@code --fault}. */
    public static final class Converter implements CommandLine.ITypeConverter<FaultPlan>
    {
        @Override
        public FaultPlan convert(final String value)
        {
            try
            {
                return parse(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.TypeConversionException(ex.getMessage());
            }
        }
    }
}
