package io.livemig.dirty;

/** {@link DirtyLogHarvestLincheckTest} on {@link AtomicDirtyBitmap}. */
public class AtomicDirtyBitmapHarvestLincheckTest extends DirtyLogHarvestLincheckTest
{
}
