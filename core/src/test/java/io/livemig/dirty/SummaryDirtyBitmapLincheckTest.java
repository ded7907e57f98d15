package io.livemig.dirty;

/** {@link DirtyLogLincheckTest} on {@link SummaryDirtyBitmap}. */
public class SummaryDirtyBitmapLincheckTest extends DirtyLogLincheckTest
{
}
