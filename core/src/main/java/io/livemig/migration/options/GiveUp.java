package io.livemig.migration.options;

import java.util.Locale;

/**
 * What pre-copy does when it reaches {@link MigrationOptions#maxRounds()} or {@link MigrationOptions#maxTimeMs()}
 * without converging ({@code scripts/migrate --on-give-up}). QEMU never forces a stop: a migration that does not
 * converge runs until the user cancels it or switches to post-copy, so giving up is the user's choice, made in
 * advance. Immutable.
 */
public enum GiveUp
{
    /** The default: the migration fails with the reason, and the guest keeps running on the source. */
    CANCEL,
    /** A forced stop-and-copy, whatever the downtime: the result reports it as over the limit. */
    STOP,
    /** Switch to post-copy: the guest moves at once and the rest follows on demand. */
    POSTCOPY;

    /** @return the lower-case name used on the command line and in results. */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the action named {@code label}, case-insensitively. */
    public static GiveUp parse(final String label)
    {
        for (final GiveUp g : values())
        {
            if (g.label().equalsIgnoreCase(label))
            {
                return g;
            }
        }
        throw new IllegalArgumentException("on-give-up must be cancel, stop or postcopy: " + label);
    }
}
