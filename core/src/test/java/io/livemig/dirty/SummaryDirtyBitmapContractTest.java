package io.livemig.dirty;

/** {@link DirtyLogContractTest} on {@link SummaryDirtyBitmap}. */
class SummaryDirtyBitmapContractTest extends DirtyLogContractTest
{
    SummaryDirtyBitmapContractTest()
    {
        super(DirtyLogKind.SUMMARY);
    }
}
