package io.livemig.codec;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecWarmUpTest
{
    @Test
    @Timeout(120)
    void startsOneDaemonThreadThatFinishesAndLeavesTheKernelsCorrect() throws InterruptedException
    {
        final Thread first = CodecWarmUp.start();
        assertNull(CodecWarmUp.start(), "a second call starts nothing");
        if (first != null) // null when another test class of this JVM started it first
        {
            assertTrue(first.isDaemon(), "never holds the JVM open");
            first.join(TimeUnit.SECONDS.toMillis(100));
            assertFalse(first.isAlive(), "the warm-up ends: its work is bounded");
        }
        // the kernels it ran still give the right answers afterwards, on the path this JVM chose
        final byte[] page = new byte[4096];
        assertTrue(ZeroPage.isZero(page, 0, page.length));
        page[4095] = 1;
        assertFalse(ZeroPage.isZero(page, 0, page.length));
        final byte[] old = new byte[4096];
        final byte[] delta = new byte[4096];
        final int length = Xbzrle.encode(old, page, delta);
        assertTrue(length > 0);
        assertTrue(Xbzrle.decode(delta, length, old) >= 0);
        assertTrue(java.util.Arrays.equals(old, page));
    }

    @Test
    @Timeout(120)
    void runsEveryKernelOnItsOwnPagesWithoutFailing()
    {
        assertNotNull(Simd.path());
        CodecWarmUp.run(); // throws if a kernel throws; touches no memory but its own
    }
}
