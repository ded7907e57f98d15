package io.livemig.migration.wire;

import java.io.IOException;

/**
 * The destination refused a migration at the handshake, before any page moved; the message is the
 * one-line reason both sides print. Immutable.
 */
public final class MigrationRefusedException extends IOException
{
    private static final long serialVersionUID = 1L;

    /** @param message the one-line reason, with who refused. */
    public MigrationRefusedException(final String message)
    {
        super(message);
    }
}
