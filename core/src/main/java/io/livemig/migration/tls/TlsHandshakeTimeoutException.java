package io.livemig.migration.tls;

import java.net.SocketTimeoutException;

/**
 * A TLS handshake that did not complete within its deadline ({@link TlsConfig}): a timeout like any other
 * socket's, told apart from a plain connect's or read's by its type, so that a destination refuses the peer
 * rather than failing on its own.
 *
 * <p>Immutable; thread-safe.
 */
public final class TlsHandshakeTimeoutException extends SocketTimeoutException
{
    private static final long serialVersionUID = 1L;

    /** @param message the one line: whose handshake, and the deadline. */
    public TlsHandshakeTimeoutException(final String message)
    {
        super(message);
    }
}
