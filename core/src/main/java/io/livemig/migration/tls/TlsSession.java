package io.livemig.migration.tls;

/**
 * What one TLS handshake agreed: for results and the summary line.
 *
 * @param protocol    e.g. {@code TLSv1.3}.
 * @param cipherSuite e.g. {@code TLS_AES_128_GCM_SHA256}.
 * @param peer        the peer certificate's subject as RFC 2253 prints it.
 * @param handshakeMs how long the handshake took, ms.
 * @param resumed     the handshake resumed an earlier session of the same peers (a TLS 1.3 pre-shared key from its
 *                    ticket: no certificate signed or checked again). Read from the session's creation time, which
 *                    JSSE keeps from the session it resumes: earlier than the handshake's start.
 *
 * <p>Immutable; thread-safe.
 */
public record TlsSession(String protocol, String cipherSuite, String peer, double handshakeMs, boolean resumed)
{
    /** @return one line: protocol, suite and peer. */
    @Override
    public String toString()
    {
        return protocol + " " + cipherSuite + " peer " + peer;
    }
}
