package io.livemig.migration.tls;

import java.io.EOFException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import javax.net.ssl.SSLHandshakeException;

/**
 * One line for a failed TLS handshake, naming the reason a user can act on (an unknown CA, a certificate out of
 * its validity, a host name the certificate does not name, a peer that does not speak TLS, the peer's alert)
 * rather than JSSE's exception chain.
 *
 * <p>Stateless; thread-safe.
 */
public final class TlsFailure
{
    private TlsFailure()
    {
    }

    /**
     * @param failure  what the handshake threw.
     * @param hostname the name the peer's certificate was checked against, for the message.
     * @return the reason, without the peer's address.
     */
    public static String reason(final Throwable failure, final String hostname)
    {
        for (Throwable t = failure; t != null; t = t.getCause())
        {
            if (t instanceof CertificateExpiredException)
            {
                return "the peer's certificate has expired (" + message(t) + ")";
            }
            if (t instanceof CertificateNotYetValidException)
            {
                return "the peer's certificate is not yet valid (" + message(t) + ")";
            }
            if (t instanceof CertPathValidatorException cpv && cpv.getReason() ==
                CertPathValidatorException.BasicReason.EXPIRED)
            {
                return "the peer's certificate has expired (" + message(t) + ")";
            }
            if (t instanceof CertPathValidatorException cpv && cpv.getReason() ==
                CertPathValidatorException.BasicReason.NOT_YET_VALID)
            {
                return "the peer's certificate is not yet valid (" + message(t) + ")";
            }
        }
        final String all = messages(failure);
        if (all.contains("No subject alternative") || all.contains("No name matching") ||
            all.contains("No IP address") || all.contains("does not match"))
        {
            return "the peer's certificate does not name " + hostname;
        }
        if (all.contains("unable to find valid certification path") || all.contains("PKIX path building failed") ||
            all.contains("Path does not chain"))
        {
            return "the peer's certificate is not signed by the CA in --tls-creds";
        }
        if (all.contains("Empty client certificate chain") || all.contains("Empty server certificate chain"))
        {
            // TLS 1.3 names the CA it trusts: a peer with no certificate from it sends none.
            return "the peer's certificate is not signed by the CA in --tls-creds (it sent none that this CA signed)";
        }
        if (all.contains("Unsupported or unrecognized SSL message") || all.contains("plaintext connection"))
        {
            return "the peer does not speak TLS (a plaintext peer? both sides need --tls-creds)";
        }
        if (all.contains("Received fatal alert: "))
        {
            final String alert = all.substring(all.indexOf("Received fatal alert: ") + 22).split("[ ;:]", 2)[0];
            return "the peer refused the TLS handshake: alert " + alert + (alert.contains("certificate") ?
                " (it does not accept this side's certificate: its CA, its validity or its name)" : "");
        }
        if (all.contains("Remote host terminated") || all.contains("closed by the peer") || hasEof(failure) ||
            all.contains("Connection reset") || all.contains("Broken pipe"))
        {
            return "the peer closed the connection in the TLS handshake: it refused this side's certificate, or " +
                "does not speak TLS";
        }
        if (failure instanceof SSLHandshakeException)
        {
            return "TLS handshake failed: " + message(failure);
        }
        return message(failure);
    }

    private static boolean hasEof(final Throwable failure)
    {
        for (Throwable t = failure; t != null; t = t.getCause())
        {
            if (t instanceof EOFException)
            {
                return true;
            }
        }
        return false;
    }

    private static String messages(final Throwable failure)
    {
        final StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause())
        {
            all.append(t.getMessage()).append(" | ");
        }
        return all.toString();
    }

    private static String message(final Throwable t)
    {
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().split("\n", 2)[0];
    }
}
