package io.livemig.dirty;

/** {@link DirtyLogHarvestLincheckTest} on {@link SummaryDirtyBitmap}. */
public class SummaryDirtyBitmapHarvestLincheckTest extends DirtyLogHarvestLincheckTest
{
}
