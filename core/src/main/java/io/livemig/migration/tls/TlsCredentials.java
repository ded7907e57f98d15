package io.livemig.migration.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS credentials in QEMU's {@code tls-creds-x509} directory layout, so that one directory serves both tools:
 * {@value #CA} (the CA that signs both peers), {@value #SERVER_CERT} and {@value #SERVER_KEY} (the destination's
 * pair), {@value #CLIENT_CERT} and {@value #CLIENT_KEY} (the source's pair). Each role reads the CA and its own
 * pair only, and trusts only that CA (never the JDK's default trust store). Both peers are always verified
 * (QEMU's {@code verify-peer=on}).
 *
 * <p>Immutable once loaded; thread-safe.
 */
public final class TlsCredentials
{
    /** The CA certificate. */
    public static final String CA = "ca-cert.pem";
    /** The destination's certificate. */
    public static final String SERVER_CERT = "server-cert.pem";
    /** The destination's key. */
    public static final String SERVER_KEY = "server-key.pem";
    /** The source's certificate. */
    public static final String CLIENT_CERT = "client-cert.pem";
    /** The source's key. */
    public static final String CLIENT_KEY = "client-key.pem";

    private final Path dir;
    private final boolean server;
    private final X509Certificate certificate;
    private final SSLContext context;

    private TlsCredentials(final Path dir, final boolean server, final X509Certificate certificate, final SSLContext context)
    {
        this.dir = dir;
        this.server = server;
        this.certificate = certificate;
        this.context = context;
    }

    /**
     * Loads one role's credentials from {@code dir}.
     *
     * @param server the destination's ({@value #SERVER_CERT}) or the source's ({@value #CLIENT_CERT}).
     * @throws IOException in one line naming the file that is missing or unreadable.
     */
    public static TlsCredentials load(final Path dir, final boolean server) throws IOException
    {
        if (!Files.isDirectory(dir))
        {
            throw new IOException("TLS credentials: " + dir + " is not a directory (it holds " + CA + ", " +
                SERVER_CERT + ", " + SERVER_KEY + ", " + CLIENT_CERT + ", " + CLIENT_KEY + ")");
        }
        final List<X509Certificate> ca = Pem.certificates(dir.resolve(CA));
        final List<X509Certificate> chain = Pem.certificates(dir.resolve(server ? SERVER_CERT : CLIENT_CERT));
        final PrivateKey key = Pem.privateKey(dir.resolve(server ? SERVER_KEY : CLIENT_KEY));
        try
        {
            final char[] password = new char[0];
            final KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("livemig", key, password, chain.toArray(new Certificate[0]));
            final KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            for (int i = 0; i < ca.size(); i++)
            {
                trusted.setCertificateEntry("ca" + i, ca.get(i));
            }
            final KeyManagerFactory km = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            km.init(keys, password);
            final TrustManagerFactory tm = TrustManagerFactory.getInstance("PKIX");
            tm.init(trusted);
            final SSLContext context = SSLContext.getInstance("TLSv1.3");
            context.init(km.getKeyManagers(), tm.getTrustManagers(), null);
            return new TlsCredentials(dir, server, chain.get(0), context);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IOException("TLS credentials in " + dir + ": " + (server ? SERVER_KEY : CLIENT_KEY) +
                " does not go with " + (server ? SERVER_CERT : CLIENT_CERT) + ": " + ex.getMessage(), ex);
        }
    }

    /** @return the directory. */
    public Path dir()
    {
        return dir;
    }

    /** @return whether these are the destination's credentials. */
    public boolean server()
    {
        return server;
    }

    /** @return this role's own certificate. */
    public X509Certificate certificate()
    {
        return certificate;
    }

    /** @return the TLS context: this role's pair, trusting the CA only. */
    public SSLContext context()
    {
        return context;
    }
}
