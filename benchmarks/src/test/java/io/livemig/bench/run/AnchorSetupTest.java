package io.livemig.bench.run;

import io.livemig.Machine;
import io.livemig.bench.anchor.QemuAnchors;
import io.livemig.bench.anchor.TestAnchors;
import io.livemig.bench.run.preset.Preset;
import io.livemig.bench.run.setup.AnchorSetup;
import io.livemig.bench.state.InputLog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Both paths of the C anchors in a run: built and handed to the forks, or left out with one reason. */
class AnchorSetupTest
{
    private static RunPlan plan(final AnchorSetup anchors)
    {
        return RunPlan.build(Preset.SMOKE, "Xbzrle|NextDirty", RunPlan.parseUserArgs(""), null,
            RunPlanTest.compiledBenchmarks(), anchors.excludes(), anchors.forkArgs());
    }

    @Test
    void withoutACompilerTheAnchorsAreLeftOutWithTheReason(@TempDir final Path dir)
    {
        final AnchorSetup anchors = AnchorSetup.prepare(dir, Map.of("CC", "/nonexistent/cc", "PATH", "/usr/bin"));
        assertFalse(anchors.built());
        assertEquals(false, anchors.env().get("built"));
        assertTrue(String.valueOf(anchors.env().get("reason")).contains("/nonexistent/cc"), anchors.env().toString());
        assertEquals(1, anchors.skipped().size());
        assertTrue(anchors.skipped().get(0).startsWith("C anchors not measured: "), anchors.skipped().get(0));
        final RunPlan plan = plan(anchors);
        assertFalse(plan.runsAny(InputLog::isAnchor), "no qemu... method is planned");
        assertTrue(plan.runsAny(name -> name.endsWith(".encode")), "livemig's own benchmarks still run");
    }

    @Test
    void withACompilerTheForksGetTheLibrary(@TempDir final Path dir)
    {
        final AnchorSetup anchors = AnchorSetup.prepare(dir, System.getenv());
        Machine.skipOnlyIfLacking(TestAnchors.lacksCompiler(), anchors.built() ? null : "no C anchors: " + anchors.env().get("reason"));
        assertTrue(anchors.forkArgs().get(0).startsWith("-D" + QemuAnchors.LIBRARY_PROPERTY + "="));
        assertTrue(String.valueOf(anchors.env().get("compilerVersion")).length() > 0);
        final RunPlan plan = plan(anchors);
        assertTrue(plan.runsAny(name -> name.endsWith(".qemuEncode")));
        assertTrue(plan.runsAny(name -> name.endsWith(".qemuFindNextBit")));
        assertEquals(QemuAnchors.hasAvx512bw(), plan.runsAny(name -> name.endsWith(".qemuEncodeAvx512")),
            "the AVX-512BW encoder runs exactly where the CPU has AVX-512BW");
        for (final RunPlan.Batch batch : plan.batches())
        {
            assertTrue(batch.options().getJvmArgsPrepend().get().containsAll(anchors.forkArgs()), batch.kind().name());
        }
        assertEquals(List.of(), AnchorSetup.none().forkArgs());
    }
}
