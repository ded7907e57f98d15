package io.livemig.dirty;

/** {@link DirtyLogLincheckTest} on {@link AtomicDirtyBitmap}. */
public class AtomicDirtyBitmapLincheckTest extends DirtyLogLincheckTest
{
}
