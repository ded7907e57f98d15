package io.livemig.qemu;

import io.livemig.qemu.stream.DirtyTraceRecorder;
import io.livemig.qemu.stream.QemuStreamReader;
import io.livemig.stream.PageStreamDialect;
import io.livemig.stream.RamBlocks;
import io.livemig.workload.DirtyTrace;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import static io.livemig.qemu.QemuStreamBuilder.PAGE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dirty trace of a hand-made stream: passes start where (block, page) stops increasing, and the trace holds
 * each section's pc.ram pages from the second pass on, dated by the arrival of the section's first byte.
 */
class DirtyTraceRecorderTest
{
    @Test
    void recordsThePagesOfEachSectionAfterTheFirstPass() throws IOException
    {
        final QemuStreamBuilder b = QemuStreamBuilder.standard().ramStart(2, "pc.ram", 4 * PAGE, "vga", PAGE);
        final long part1 = b.size();
        b.part(2).page("pc.ram", 0, 1).zero(null, PAGE).zero(null, 2 * PAGE).page(null, 3 * PAGE, 2).eos().footer(2);
        final long part2 = b.size();
        b.part(2).zero("vga", 0).page("pc.ram", PAGE, 3).eos().footer(2);
        final long part3 = b.size();
        b.part(2).page(null, 2 * PAGE, 4).page(null, 3 * PAGE, 5).eos().footer(2);
        final long end = b.size();
        b.end(2).page(null, 0, 6).zero("vga", 0).eos().footer(2).eof();
        final List<long[]> arrivals = List.of(new long[] {0, 0}, new long[] {part2 - 3, 10}, new long[] {part3 + 1, 30},
            new long[] {end, 70});
        try (RamBlocks blocks = RamBlocks.learned(PAGE, 1 << 20))
        {
            final QemuStreamReader reader = new QemuStreamReader(BytesChannel.of(b.bytes()), blocks,
                PageStreamDialect.QEMU, 8192);
            final DirtyTraceRecorder recorder = new DirtyTraceRecorder(blocks, "pc.ram", arrivals);
            reader.setListener(recorder);
            reader.read();
            assertEquals(List.of(5L, 3L, 2L), recorder.pagesPerPass());
            final DirtyTrace trace = recorder.trace(Map.of("source", "test"));
            assertEquals(4, trace.pageCount());
            assertEquals(3, trace.entries().size());
            assertEquals(2, trace.entries().get(0).section());
            assertArrayEquals(new long[] {1}, trace.entries().get(0).pages());
            assertEquals(10, trace.entries().get(0).timeMs());
            assertArrayEquals(new long[] {2, 3}, trace.entries().get(1).pages());
            assertEquals(10, trace.entries().get(1).timeMs(), "part 3 starts inside the read of offset part2 - 3");
            assertArrayEquals(new long[] {0}, trace.entries().get(2).pages());
            assertEquals(70, trace.entries().get(2).timeMs());
            assertTrue(trace.timed());
            assertTrue(part1 > 0);
        }
    }
}
