package io.livemig.migration.options;

import java.util.Locale;

/**
 * How pre-copy decides that what remains can be sent within the downtime limit. Both compare an estimate
 * of the remainder with {@code bandwidth x downtime limit}, the bandwidth being the wire bytes per second
 * the last round achieved (at most the link's limit). Immutable.
 */
public enum StopPolicy
{
    /**
     * QEMU's test: remaining dirty pages times the page size, uncompressed, against the wire bandwidth. With
     * XBZRLE or LZ4 it overestimates the remainder and can refuse to stop when the rest would fit.
     */
    QEMU,
    /** The remainder's wire bytes, estimated from the last round's measured wire bytes per dirty page. */
    WIRE;

    /** @return the lower-case name used on the command line and in results. */
    public String label()
    {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the policy named {@code label}, case-insensitively. */
    public static StopPolicy parse(final String label)
    {
        for (final StopPolicy p : values())
        {
            if (p.label().equalsIgnoreCase(label))
            {
                return p;
            }
        }
        throw new IllegalArgumentException("stop policy must be qemu or wire: " + label);
    }
}
