package io.livemig.migration.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * PEM files as QEMU's TLS credentials hold them: X.509 certificates, and private keys in PKCS#8 ({@code BEGIN
 * PRIVATE KEY}, what {@code openssl genpkey} and current GnuTLS write) or PKCS#1 RSA ({@code BEGIN RSA PRIVATE
 * KEY}, what older {@code certtool} writes). Other key forms are refused with the command that converts them. A
 * file that cannot be read or parsed fails with one line naming it. Files are small and local: read whole.
 *
 * <p>Stateless; thread-safe.
 */
final class Pem
{
    private static final Pattern BLOCK = Pattern.compile(
        "-----BEGIN ([A-Z0-9 ]+)-----\\s*([A-Za-z0-9+/=\\s]*?)-----END \\1-----");
    /** Most bytes of a credentials file: a certificate chain or a key is a few KiB. */
    static final long MAX_FILE = 1 << 20;
    /** rsaEncryption's AlgorithmIdentifier, DER: SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }. */
    private static final byte[] RSA_ALGORITHM = {
        0x30, 0x0d, 0x06, 0x09, 0x2a, (byte)0x86, 0x48, (byte)0x86, (byte)0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private Pem()
    {
    }

    /** @return the certificates of {@code file}, in order; at least one. */
    static List<X509Certificate> certificates(final Path file) throws IOException
    {
        final byte[] bytes = read(file);
        try
        {
            final List<X509Certificate> certs = new ArrayList<>();
            for (final var c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes)))
            {
                certs.add((X509Certificate)c);
            }
            if (certs.isEmpty())
            {
                throw new IOException(file + ": no certificate in it");
            }
            return certs;
        }
        catch (final CertificateException ex)
        {
            throw new IOException(file + ": not a PEM certificate: " + ex.getMessage(), ex);
        }
    }

    /** @return the one private key of {@code file}. */
    static PrivateKey privateKey(final Path file) throws IOException
    {
        final Matcher m = BLOCK.matcher(new String(read(file), StandardCharsets.US_ASCII));
        if (!m.find())
        {
            throw new IOException(file + ": no PEM block in it");
        }
        final String type = m.group(1);
        final byte[] der;
        try
        {
            der = Base64.getMimeDecoder().decode(m.group(2));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IOException(file + ": bad base64 in its " + type + " block");
        }
        switch (type)
        {
            case "PRIVATE KEY":
                return pkcs8(file, der, "RSA", "EC", "Ed25519", "Ed448", "RSASSA-PSS");
            case "RSA PRIVATE KEY":
                return pkcs8(file, wrapPkcs1(der), "RSA");
            default:
                throw new IOException(file + ": a " + type + " block; livemig reads unencrypted PKCS#8 or PKCS#1 RSA " +
                    "keys (convert with: openssl pkcs8 -topk8 -nocrypt -in " + file.getFileName() + ")");
        }
    }

    private static PrivateKey pkcs8(final Path file, final byte[] der, final String... algorithms) throws IOException
    {
        for (final String algorithm : algorithms)
        {
            try
            {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
            }
            catch (final GeneralSecurityException ex)
            {
                // Not this algorithm's key: try the next.
            }
        }
        throw new IOException(file + ": not a private key of " + String.join(", ", algorithms));
    }

    /** PKCS#1 RSAPrivateKey as PKCS#8 PrivateKeyInfo: SEQUENCE { INTEGER 0, rsaEncryption, OCTET STRING { key } }. */
    static byte[] wrapPkcs1(final byte[] pkcs1)
    {
        final ByteArrayOutputStream body = new ByteArrayOutputStream(pkcs1.length + 32);
        body.writeBytes(new byte[] {0x02, 0x01, 0x00});
        body.writeBytes(RSA_ALGORITHM);
        body.write(0x04);
        body.writeBytes(derLength(pkcs1.length));
        body.writeBytes(pkcs1);
        final ByteArrayOutputStream out = new ByteArrayOutputStream(body.size() + 8);
        out.write(0x30);
        out.writeBytes(derLength(body.size()));
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static byte[] derLength(final int length)
    {
        if (length < 0x80)
        {
            return new byte[] {(byte)length};
        }
        if (length < 0x100)
        {
            return new byte[] {(byte)0x81, (byte)length};
        }
        if (length < 0x10000)
        {
            return new byte[] {(byte)0x82, (byte)(length >> 8), (byte)length};
        }
        return new byte[] {(byte)0x83, (byte)(length >> 16), (byte)(length >> 8), (byte)length};
    }

    private static byte[] read(final Path file) throws IOException
    {
        try
        {
            if (Files.size(file) > MAX_FILE)
            {
                throw new IOException(file + ": " + Files.size(file) + " bytes, more than a credentials file holds (" +
                    MAX_FILE + ")");
            }
            return Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            throw new IOException(file + ": no such file", ex);
        }
    }
}
