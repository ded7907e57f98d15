package io.livemig.snapshot.restore;

import java.util.Locale;

/** How a restore fills the guest. Immutable. */
public enum RestoreMode
{
    /** Reader threads fill every page, then the vCPUs resume. */
    EAGER,
    /** The vCPUs resume at once; a page comes on first touch, a prefetch thread brings the rest. */
    LAZY;

    /** @return the name as {@code --restore} takes it. */
    public String cliName()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the mode named {@code name} as {@code --restore} takes it, or null. */
    public static RestoreMode parse(final String name)
    {
        for (final RestoreMode m : values())
        {
            if (m.cliName().equals(name))
            {
                return m;
            }
        }
        return null;
    }
}
