package io.livemig.qemu;

import io.livemig.qemu.guest.Commands;
import io.livemig.qemu.guest.GuestImages;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Guard: where QEMU can be had (it is installed, or this is root with apt-get), the QEMU tests must run, not
 * skip: the reason they would skip for must be none, and QEMU, the kernel and the initramfs must be prepared.
 */
class QemuGuardTest
{
    @Test
    void qemuTestsRunWhereQemuCanBeHad() throws IOException
    {
        final boolean installed = Commands.onPath("qemu-system-x86_64") != null;
        final boolean installable = Commands.isRoot() && Commands.onPath("apt-get") != null;
        if (!installed && !installable)
        {
            return; // the QEMU tests skip here, rightly
        }
        assertNull(GuestImages.whyNoQemu(), "QEMU can be had here, yet the QEMU tests would skip");
        final GuestImages images = QemuRuns.images();
        assertNotNull(images.qemu());
        assertNotNull(images.kernel());
        assertNotNull(images.initramfs());
    }
}
