package io.livemig.migration.fault;

import java.util.List;

/**
 * Network faults to inject into a migration's link, and when: the plan a {@link FaultyLink} follows, as given by
 * {@code scripts/migrate --fault SPEC}. Each rule fires at most once, when its trigger is reached:
 * <ul>
 *   <li>{@link Action#CUT}: the connection breaks; every later read and write on either side fails;</li>
 *   <li>{@link Action#STALL}: nothing moves either way for a time, then traffic resumes (longer than the
 *       link timeout, a stall is seen as a cut);</li>
 *   <li>{@link Action#THROTTLE}: the forward direction is held to a rate from then on;</li>
 *   <li>{@link Action#CUT_PREEMPT}: post-copy's preempt connection alone breaks; the rest of the link stays.</li>
 * </ul>
 * Triggers: a count of forward bytes (source to destination) already passed, or a phase of the migration
 * ({@code setup}, {@code precopy} with an optional round, {@code stop-and-copy}, {@code postcopy}), which the
 * migration announces to its link ({@link FaultyLink#phase}); {@code postcopy} when the source reads the
 * first page request after the switch, which proves the destination runs the guest in post-copy.
 *
 * @param rules the rules, in the order given.
 */
public record FaultPlan(List<Rule> rules)
{
    /** The empty plan: no fault. */
    public static final FaultPlan NONE = new FaultPlan(List.of());

    /** What a rule does. */
    public enum Action
    {
        /** Break the connection. */
        CUT,
        /** Hold all traffic for {@link Rule#durationNs()}. */
        STALL,
        /** Limit the forward direction to {@link Rule#bytesPerSecond()}. */
        THROTTLE,
        /** Break the preempt connection alone ({@link io.livemig.migration.link.MigrationLink#closePreempt}). */
        CUT_PREEMPT
    }

    /**
     * When a rule fires.
     *
     * @param bytes forward bytes after which it fires, or -1 for a phase trigger.
     * @param phase {@code setup}, {@code precopy}, {@code stop-and-copy} or {@code postcopy}; {@code null} for a
     *              byte trigger.
     * @param round for {@code precopy}, the round at whose start it fires, or -1 for the first pre-copy round.
     */
    public record Trigger(long bytes, String phase, long round)
    {
        /** The phases a trigger may name. */
        public static final List<String> PHASES = List.of("setup", "precopy", "stop-and-copy", "postcopy");

        /** Checks the fields. */
        public Trigger
        {
            if ((phase == null) == (bytes < 0))
            {
                throw new IllegalArgumentException("a trigger is either a byte count or a phase");
            }
            if (phase != null && !PHASES.contains(phase))
            {
                throw new IllegalArgumentException("phase must be one of " + PHASES + ": " + phase);
            }
            if (round < -1 || (round >= 0 && !"precopy".equals(phase)))
            {
                throw new IllegalArgumentException("only a precopy trigger takes a round (from 0): " + round);
            }
        }

        /** @return a trigger after {@code bytes} forward bytes (0: at once). */
        public static Trigger afterBytes(final long bytes)
        {
            if (bytes < 0)
            {
                throw new IllegalArgumentException("bytes must be at least 0: " + bytes);
            }
            return new Trigger(bytes, null, -1);
        }

        /** @return a trigger at the start of {@code phase}, in pre-copy at {@code round} (-1: the first). */
        public static Trigger atPhase(final String phase, final long round)
        {
            return new Trigger(-1, phase, round);
        }

        @Override
        public String toString()
        {
            return phase == null ? "after " + bytes + " forward bytes" :
                "at " + phase + (round >= 0 ? " round " + round : "");
        }
    }

    /**
     * One fault.
     *
     * @param action         what happens.
     * @param trigger        when.
     * @param durationNs     for {@link Action#STALL}, how long, else 0.
     * @param bytesPerSecond for {@link Action#THROTTLE}, the rate, else 0.
     */
    public record Rule(Action action, Trigger trigger, long durationNs, long bytesPerSecond)
    {
        /** Checks the fields. */
        public Rule
        {
            if (action == Action.STALL ? durationNs <= 0 : durationNs != 0)
            {
                throw new IllegalArgumentException("a stall, and only a stall, has a positive duration: " + durationNs);
            }
            if (action == Action.THROTTLE ? bytesPerSecond <= 0 : bytesPerSecond != 0)
            {
                throw new IllegalArgumentException("a throttle, and only a throttle, has a positive rate: " +
                    bytesPerSecond);
            }
        }

        @Override
        public String toString()
        {
            switch (action)
            {
                case STALL:
                    return "stall for " + durationNs / 1_000_000 + " ms " + trigger;
                case THROTTLE:
                    return "throttle to " + bytesPerSecond + " B/s " + trigger;
                case CUT_PREEMPT:
                    return "cut of the preempt connection " + trigger;
                default:
                    return "cut " + trigger;
            }
        }
    }

    /** Copies the rules. */
    public FaultPlan
    {
        rules = List.copyOf(rules);
    }

    /** @return whether the plan has no rule. */
    public boolean isEmpty()
    {
        return rules.isEmpty();
    }
}
