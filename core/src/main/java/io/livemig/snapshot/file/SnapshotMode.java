package io.livemig.snapshot.file;

import java.util.Locale;

/** How a snapshot was taken; its ordinal is the header's mode byte. Immutable. */
public enum SnapshotMode
{
    /** The vCPUs were paused for the whole save (QEMU's savevm and mapped-ram). */
    STOPPED,
    /** Pre-copy into the file: a page sent again overwrites its slot; the vCPUs stop for the last round only. */
    LIVE,
    /** Through userfaultfd write protection: the vCPUs ran on from the snapshot's instant. */
    BACKGROUND;

    /** @return the name as {@code --snapshot} takes it. */
    public String cliName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the mode named {@code name} as {@code --snapshot} takes it, or null if there is none. */
    public static SnapshotMode parse(final String name)
    {
        for (final SnapshotMode m : values())
        {
            if (m.cliName().equals(name))
            {
                return m;
            }
        }
        return null;
    }
}
