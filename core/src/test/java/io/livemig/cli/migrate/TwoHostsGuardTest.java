package io.livemig.cli.migrate;

import io.livemig.Machine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The guard of the two-namespace tests ({@code TwoHosts*}), which skip where {@code scripts/two-hosts} cannot
 * run: where this process is root and {@code ip} and {@code tc} are on PATH ({@link Machine#lacksNamespaces}),
 * a pair must come up with both addresses, or this fails with the script's output.
 */
class TwoHostsGuardTest
{
    @Test
    void aPairOfNamespacesComesUpWhereRootAndIproute2Are(@TempDir final Path dir) throws Exception
    {
        final String lacks = Machine.lacksNamespaces();
        assumeTrue(lacks == null, lacks);
        try (TwoHosts hosts = TwoHosts.upOrSkip(dir, "100mbit"))
        {
            final String status = hosts.status();
            assertTrue(status.contains(hosts.sourceIp() + "/30") && status.contains(hosts.destinationIp() + "/30"), status);
        }
    }
}
