package io.livemig.bench.stream;

import io.livemig.bench.state.PageStreamInputs;
import io.livemig.stream.PageKind;
import io.livemig.stream.PageStreamStats;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The benchmark computes what its baseline computes: after writeAndRead, as after baselineArraycopy, the
 * destination equals the source; and each mix sends the records it claims to.
 */
class PageStreamBenchmarkTest
{
    private static final int PAGES = 200;

    private static byte[] bytes(final io.livemig.memory.GuestMemory guest)
    {
        final byte[] b = new byte[(int)guest.size()];
        guest.getBytes(0, b, 0, b.length);
        return b;
    }

    @ParameterizedTest
    @EnumSource(PageStreamInputs.Mix.class)
    void writeAndReadMatchesTheBaseline(final PageStreamInputs.Mix mix) throws IOException
    {
        final PageStreamBenchmark bench = new PageStreamBenchmark();
        bench.mix = mix.name();
        bench.pages = PAGES;
        bench.setup();
        try
        {
            for (int round = 0; round < 3; round++)
            {
                final PageStreamStats stats = bench.inputs.writer().stats();
                final long[] before = new long[PageKind.count()];
                for (final PageKind kind : PageKind.values())
                {
                    before[kind.ordinal()] = stats.pages(kind);
                }
                bench.prepareRound();
                if (mix != PageStreamInputs.Mix.MIXED)
                {
                    // These mixes send whole pages: spoil the destination so that only a full apply mends it.
                    bench.inputs.destination().fill(0, bench.inputs.destination().size(), (byte)1);
                }
                final byte[] source = bytes(bench.inputs.source());
                assertFalse(Arrays.equals(source, bytes(bench.inputs.destination())), "nothing to send");
                assertEquals(PAGES, bench.writeAndRead());
                assertArrayEquals(source, bytes(bench.inputs.destination()), "round " + round);
                for (int p = 0; p < PAGES; p++)
                {
                    before[bench.inputs.kindOf(p).ordinal()]++;
                }
                for (final PageKind kind : PageKind.values())
                {
                    assertEquals(stats.pages(kind), before[kind.ordinal()], mix + " " + kind + " pages");
                }
            }
            // The baseline leaves the same destination.
            bench.inputs.destination().fill(0, bench.inputs.destination().size(), (byte)1);
            bench.baselineArraycopy();
            assertArrayEquals(bytes(bench.inputs.source()), bytes(bench.inputs.destination()));
        }
        finally
        {
            bench.tearDown();
        }
    }
}
