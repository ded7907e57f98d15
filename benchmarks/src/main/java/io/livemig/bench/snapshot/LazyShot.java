package io.livemig.bench.snapshot;

import io.livemig.bench.snapshot.SnapshotBenchmark.Size;
import io.livemig.kernel.FaultingGuest;
import io.livemig.kernel.KernelTracking;
import io.livemig.memory.GuestMemory;
import io.livemig.snapshot.file.SnapshotReader;
import io.livemig.snapshot.restore.LazyRestore;
import io.livemig.workload.GuestWorkload;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.nio.file.Path;

import static io.livemig.bench.snapshot.SnapshotBenchmark.COMPLETE_TIMEOUT_MS;
import static io.livemig.bench.snapshot.SnapshotBenchmark.PAGE;
import static io.livemig.bench.snapshot.SnapshotBenchmark.VCPUS;

/**
 * A lazy restore's shot for {@link SnapshotBenchmark}: what the shot opened ({@link Lazy}), closed after it and
 * outside its time, and for the kernel's faults the userfaultfd-registered guest it runs on ({@link KernelGuest}).
 *
 * <p>Thread-safety: JMH's; each is a thread's state.
 */
public final class LazyShot
{
    private LazyShot()
    {
    }

    /** A lazy restore in flight: what a shot opened, closed after it (outside its time). */
    @State(Scope.Thread)
    public static class Lazy
    {
        SnapshotReader file;
        LazyRestore restore;
        GuestWorkload vcpus;
        /** A kernel-faults shot's guest, registered with userfaultfd before it ({@link KernelGuest}), else null. */
        FaultingGuest kernel;

        /**
         * Opens the file, builds the restore on {@code memory} (or on {@link #kernel}'s, whose faults the kernel
         * delivers) and starts it: the resume.
         */
        void resume(final Path path, final GuestMemory memory) throws IOException
        {
            final GuestMemory target = kernel != null ? kernel.memory() : memory;
            file = SnapshotReader.open(path, target.size());
            restore = new LazyRestore(file, target, kernel, VCPUS, false);
            restore.start();
        }

        /** @return the memory the vCPUs write: the kernel guest's, or {@code memory}. */
        GuestMemory target(final GuestMemory memory)
        {
            return kernel != null ? kernel.memory() : memory;
        }

        /** @throws IllegalStateException if the restore failed or did not complete in time. */
        void awaitComplete() throws InterruptedException
        {
            final boolean complete = restore.awaitComplete(COMPLETE_TIMEOUT_MS);
            if (restore.failure() != null || !complete)
            {
                throw new IllegalStateException("lazy restore: " + (complete ? restore.failure() :
                    "not complete in " + COMPLETE_TIMEOUT_MS + " ms"));
            }
        }

        /** After each shot: the vCPUs stopped, the rest of the pages in (a resume shot's prefetch), all closed. */
        @TearDown(Level.Invocation)
        public void close() throws IOException, InterruptedException
        {
            try
            {
                if (vcpus != null)
                {
                    vcpus.close();
                }
                if (restore != null)
                {
                    awaitComplete();
                    restore.close();
                }
            }
            finally
            {
                if (file != null)
                {
                    file.close();
                }
                if (kernel != null)
                {
                    kernel.close(); // after the restore and the vCPUs: nothing touches its memory any more
                }
                vcpus = null;
                restore = null;
                file = null;
                kernel = null;
            }
        }
    }

    /**
     * A kernel-faults shot's guest: before each shot, outside its time, a fresh 1 GiB mapping registered with a
     * userfaultfd in MISSING mode, handed to the shot's {@link Lazy}, which closes it after the shot (JDK 22+: else
     * the runner leaves {@link #lazyCompleteKernel} out with the probe's reason).
     */
    @State(Scope.Thread)
    public static class KernelGuest
    {
        @Setup(Level.Invocation)
        public void open(final Size size, final Lazy lazy)
        {
            lazy.kernel = KernelTracking.openFaulting(GuestMemory.DEFAULT_BLOCK_NAME, size.bytes(), PAGE);
        }
    }
}
