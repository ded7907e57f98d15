package io.livemig.dirty;

/** {@link DirtyLogContractTest} on {@link DirtyRingLog}, with rings small enough to fill. */
class RingDirtyLogContractTest extends DirtyLogContractTest
{
    RingDirtyLogContractTest()
    {
        super(DirtyLogKind.RING);
    }
}
