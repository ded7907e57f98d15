package io.livemig.dirty;

/**
 * {@link DirtyLogLincheckTest} on {@link DirtyRingLog}, whose reads kick and reap first so that they are
 * linearizable with the marks: Lincheck's stress strategy only. Each read walks every ring under its lock,
 * which multiplies the interleavings the model checker explores (30 to 40 s even with two random scenarios);
 * the ring protocol itself is model-checked by {@link DirtyRingLincheckTest}.
 */
public class RingDirtyLogLincheckTest extends DirtyLogLincheckTest
{
    /** Not a test here (no {@code @Test}): see the class comment. */
    @Override
    void modelChecking()
    {
    }
}
