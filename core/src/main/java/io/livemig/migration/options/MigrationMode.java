package io.livemig.migration.options;

import java.util.Locale;

/** How a migration moves the guest. Immutable. */
public enum MigrationMode
{
    /** Rounds of dirty pages while the guest runs, then a short stop-and-copy. */
    PRECOPY,
    /** Stop at once, run on the destination, fetch pages on demand while the rest is pushed. */
    POSTCOPY,
    /** Pre-copy for a number of rounds, then post-copy if it has not converged. */
    HYBRID;

    /** @return the lower-case name used on the command line and in results. */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the mode named {@code label}, case-insensitively. */
    public static MigrationMode parse(final String label)
    {
        for (final MigrationMode m : values())
        {
            if (m.label().equalsIgnoreCase(label))
            {
                return m;
            }
        }
        throw new IllegalArgumentException("mode must be precopy, postcopy or hybrid: " + label);
    }
}
