package io.livemig.kernel;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.livemig.workload.AccessPattern;
import io.livemig.workload.GuestWorkload;
import io.livemig.workload.VcpuTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A vCPU blocked in a page fault that nobody serves does not hang its owner: {@link GuestWorkload#stop} waits out
 * its deadline, releases the memory's fault waiters, joins the vCPU and fails naming it. Before, the close joined
 * for ever (a whole-suite benchmark run sat 11 minutes in it).
 */
class BlockedVcpuStopTest
{
    @Test
    @Timeout(60)
    void aVcpuBlockedInAFaultNobodyServesIsReleasedAndNamed() throws Exception
    {
        try (FaultingGuest guest = MissingFaultGuestTest.open(16))
        {
            final CountDownLatch faulted = new CountDownLatch(1);
            guest.start((page, ns) -> faulted.countDown()); // reads the fault message, never serves the page
            final GuestWorkload workload = new GuestWorkload(AccessPattern.uniform(16), 1, 0, 8, 1);
            workload.start(VcpuTarget.of(guest.memory()));
            assertTrue(faulted.await(10, TimeUnit.SECONDS), "the vCPU faulted");
            final IllegalStateException e = assertThrows(IllegalStateException.class, () -> workload.stop(200));
            assertTrue(e.getMessage().contains("vcpu-0"), e::getMessage);
            assertTrue(e.getMessage().contains("they stopped once the memory's page-fault waiters were released"),
                e::getMessage);
            workload.close(); // idempotent: nothing is left to stop, and the memory closes under no vCPU
        }
    }
}
