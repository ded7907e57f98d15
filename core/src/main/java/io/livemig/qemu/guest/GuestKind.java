package io.livemig.qemu.guest;

import java.util.Locale;

/**
 * The guests livemig boots under QEMU. Immutable; thread-safe.
 */
public enum GuestKind
{
    /** Linux with busybox, doing nothing after boot. */
    IDLE(true),
    /** Linux with busybox, running a program mix over tmpfs ({@link GuestInit}). */
    MIX(true),
    /** The multiboot counter guest ({@link CounterGuestImage}): no paging, a counter in every page of a range. */
    COUNTER(false);

    private final boolean linux;

    GuestKind(final boolean linux)
    {
        this.linux = linux;
    }

    /** @return whether the guest is Linux (it needs the kernel and the initramfs). */
    public boolean isLinux()
    {
        return linux;
    }

    /** @return the name on the command line: idle, mix or counter. */
    public String cliName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the choices if {@code name} is none of them. */
    public static GuestKind parse(final String name)
    {
        for (final GuestKind kind : values())
        {
            if (kind.cliName().equals(name))
            {
                return kind;
            }
        }
        throw new IllegalArgumentException("guest must be idle, mix or counter: " + name);
    }
}
