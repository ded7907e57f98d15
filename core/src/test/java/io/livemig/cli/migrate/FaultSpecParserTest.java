package io.livemig.cli.migrate;

import io.livemig.migration.fault.FaultPlan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --fault SPEC}: every form parses to its rule; a bad rule is refused with a message naming it. */
class FaultSpecParserTest
{
    @Test
    void everyFormParsesToItsRule()
    {
        final FaultPlan plan = FaultSpecParser.parse(
            "cut@10m, stall:2s@round:3, throttle:20m, cut@switchover, stall:300ms@postcopy, cut@0, cut@setup, " +
            "cut-preempt@postcopy");
        assertEquals(List.of(
            new FaultPlan.Rule(FaultPlan.Action.CUT, FaultPlan.Trigger.afterBytes(10 << 20), 0, 0),
            new FaultPlan.Rule(FaultPlan.Action.STALL, FaultPlan.Trigger.atPhase("precopy", 3), 2_000_000_000L, 0),
            new FaultPlan.Rule(FaultPlan.Action.THROTTLE, FaultPlan.Trigger.afterBytes(0), 0, 20 << 20),
            new FaultPlan.Rule(FaultPlan.Action.CUT, FaultPlan.Trigger.atPhase("stop-and-copy", -1), 0, 0),
            new FaultPlan.Rule(FaultPlan.Action.STALL, FaultPlan.Trigger.atPhase("postcopy", -1), 300_000_000L, 0),
            new FaultPlan.Rule(FaultPlan.Action.CUT, FaultPlan.Trigger.afterBytes(0), 0, 0),
            new FaultPlan.Rule(FaultPlan.Action.CUT, FaultPlan.Trigger.atPhase("setup", -1), 0, 0),
            new FaultPlan.Rule(FaultPlan.Action.CUT_PREEMPT, FaultPlan.Trigger.atPhase("postcopy", -1), 0, 0)),
            plan.rules());
        assertTrue(FaultSpecParser.parse("none").isEmpty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "cut; fault rule 'cut': a cut needs a trigger",
        "cut@; fault rule 'cut@': a cut needs a trigger",
        "cut-preempt; fault rule 'cut-preempt': a cut-preempt needs a trigger",
        "snip@1m; fault rule 'snip@1m': unknown action 'snip'",
        "stall:0s@1m; fault rule 'stall:0s@1m': a stall needs a positive duration",
        "stall:2x@1m; fault rule 'stall:2x@1m': ",
        "throttle:0; fault rule 'throttle:0': a throttle needs a positive rate",
        "cut@round:; fault rule 'cut@round:': round:N needs a round number from 0",
        "cut@round:-1; fault rule 'cut@round:-1': round:N needs a round number from 0",
        "cut@later; fault rule 'cut@later': invalid size 'later'",
        "cut@1m,,cut@2m; fault rule '': unknown action ''",
        "'   '; empty fault spec"})
    void aBadRuleIsRefusedNamingIt(final String spec, final String message)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> FaultSpecParser.parse(spec));
        assertTrue(ex.getMessage().startsWith(message), ex.getMessage());
    }
}
