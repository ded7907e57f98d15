package io.livemig.migration.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;

/**
 * Test credentials made in process with Bouncy Castle: a CA, and server and client pairs it signs, written in
 * QEMU's layout ({@link TlsCredentials}). Each piece can be made wrong on purpose: another CA, a server name that
 * is not the host, validity in the past or the future, another client name. EC P-256 keys, so that making them
 * takes milliseconds.
 */
public final class TestCredentials
{
    /** The client's subject unless told otherwise. */
    public static final String CLIENT_DN = "CN=source,O=livemig tests";
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final KeyPair caKeys;
    private final X509Certificate ca;

    private TestCredentials(final String caName) throws GeneralSecurityException
    {
        caKeys = keys();
        final Instant now = Instant.now();
        ca = sign(caName, caKeys.getPublic(), caName, caKeys.getPrivate(), now.minus(Duration.ofDays(1)),
            now.plus(Duration.ofDays(30)), null, true);
    }

    /** @return a new CA named {@code caName}. */
    public static TestCredentials ca(final String caName)
    {
        try
        {
            return new TestCredentials(caName);
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** Writes a good set to {@code dir}: server named localhost and 127.0.0.1, client {@link #CLIENT_DN}. */
    public static Path good(final Path dir) throws IOException
    {
        final TestCredentials ca = ca("CN=livemig test CA");
        return ca.write(dir, ca.server("localhost", 0), ca.client(CLIENT_DN, 0));
    }

    /** A signed pair: its certificate and key. */
    public record Pair(X509Certificate certificate, PrivateKey key)
    {
    }

    /**
     * @param host      the DNS name the certificate carries besides 127.0.0.1 (and ::1).
     * @param shiftDays 0: valid now; below 0: expired that many days ago; above 0: valid only that many days on.
     */
    public Pair server(final String host, final int shiftDays)
    {
        return pair("CN=" + host + ",O=livemig tests", shiftDays, new GeneralNames(new GeneralName[] {
            new GeneralName(GeneralName.dNSName, host), new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
            new GeneralName(GeneralName.iPAddress, "::1")}));
    }

    /** @return a client pair with subject {@code dn}, {@code shiftDays} as in {@link #server}. */
    public Pair client(final String dn, final int shiftDays)
    {
        return pair(dn, shiftDays, null);
    }

    /** Writes this CA with the two pairs in QEMU's layout. @return {@code dir}. */
    public Path write(final Path dir, final Pair server, final Pair client) throws IOException
    {
        Files.createDirectories(dir);
        pem(dir.resolve(TlsCredentials.CA), "CERTIFICATE", encoded(ca));
        pem(dir.resolve(TlsCredentials.SERVER_CERT), "CERTIFICATE", encoded(server.certificate()));
        pem(dir.resolve(TlsCredentials.SERVER_KEY), "PRIVATE KEY", server.key().getEncoded());
        pem(dir.resolve(TlsCredentials.CLIENT_CERT), "CERTIFICATE", encoded(client.certificate()));
        pem(dir.resolve(TlsCredentials.CLIENT_KEY), "PRIVATE KEY", client.key().getEncoded());
        return dir;
    }

    /** Writes {@code der} as one PEM block. */
    public static void pem(final Path file, final String type, final byte[] der) throws IOException
    {
        Files.writeString(file, "-----BEGIN " + type + "-----\n" +
            Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der) +
            "\n-----END " + type + "-----\n", StandardCharsets.US_ASCII);
    }

    private Pair pair(final String dn, final int shiftDays, final GeneralNames names)
    {
        try
        {
            final KeyPair keys = keys();
            final Instant now = Instant.now();
            final Instant from = shiftDays > 0 ? now.plus(Duration.ofDays(shiftDays)) :
                now.minus(Duration.ofDays(1 - 2L * Math.min(0, shiftDays)));
            final Instant to = shiftDays < 0 ? now.minus(Duration.ofDays(-shiftDays)) : from.plus(Duration.ofDays(30));
            return new Pair(sign(dn, keys.getPublic(), ca.getSubjectX500Principal().getName(), caKeys.getPrivate(), from,
                to, names, false), keys.getPrivate());
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static X509Certificate sign(final String subject, final java.security.PublicKey key, final String issuer,
        final PrivateKey issuerKey, final Instant from, final Instant to, final GeneralNames names, final boolean ca)
        throws GeneralSecurityException
    {
        try
        {
            // Names through the JDK's X500Principal, so that RFC 2253 text means here what it means to the JDK.
            final JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name(issuer),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(from), Date.from(to), name(subject), key);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign :
                KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            if (names != null)
            {
                b.addExtension(Extension.subjectAlternativeName, false, names);
            }
            return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        }
        catch (final org.bouncycastle.operator.OperatorCreationException | IOException ex)
        {
            throw new GeneralSecurityException(ex);
        }
    }

    private static X500Name name(final String rfc2253)
    {
        return X500Name.getInstance(new X500Principal(rfc2253).getEncoded());
    }

    private static KeyPair keys() throws GeneralSecurityException
    {
        final KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static byte[] encoded(final X509Certificate cert) throws IOException
    {
        try
        {
            return cert.getEncoded();
        }
        catch (final java.security.cert.CertificateEncodingException ex)
        {
            throw new IOException(ex);
        }
    }
}
