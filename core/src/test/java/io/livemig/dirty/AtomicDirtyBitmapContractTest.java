package io.livemig.dirty;

/** {@link DirtyLogContractTest} on {@link AtomicDirtyBitmap}. */
class AtomicDirtyBitmapContractTest extends DirtyLogContractTest
{
    AtomicDirtyBitmapContractTest()
    {
        super(DirtyLogKind.ATOMIC);
    }
}
