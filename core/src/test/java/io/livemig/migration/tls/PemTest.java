package io.livemig.migration.tls;

import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The credentials' PEM files: PKCS#8 keys of either kind and PKCS#1 RSA keys (older certtool) load; other forms,
 * missing files and wrong contents are refused in one line naming the file.
 */
class PemTest
{
    @TempDir
    Path dir;

    @Test
    void aPkcs1RsaKeyLoadsAsTheSameKey() throws Exception
    {
        final KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        final PrivateKey key = g.generateKeyPair().getPrivate();
        final byte[] pkcs1 = PrivateKeyInfo.getInstance(key.getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded();
        final Path file = dir.resolve("rsa.pem");
        TestCredentials.pem(file, "RSA PRIVATE KEY", pkcs1);
        assertArrayEquals(key.getEncoded(), Pem.privateKey(file).getEncoded());
        assertArrayEquals(key.getEncoded(), Pem.wrapPkcs1(pkcs1));
    }

    @Test
    void aPkcs8EcKeyLoads() throws Exception
    {
        final Path creds = TestCredentials.good(dir.resolve("creds"));
        assertEquals("EC", Pem.privateKey(creds.resolve(TlsCredentials.CLIENT_KEY)).getAlgorithm());
        assertEquals(1, Pem.certificates(creds.resolve(TlsCredentials.CA)).size());
    }

    @Test
    void otherFormsAndBadFilesAreRefusedInOneLineNamingTheFile() throws Exception
    {
        final Path sec1 = dir.resolve("ec.pem");
        TestCredentials.pem(sec1, "EC PRIVATE KEY", new byte[] {0x30, 0x00});
        assertOneLine(assertThrows(IOException.class, () -> Pem.privateKey(sec1)), sec1 + ": a EC PRIVATE KEY block");
        final Path missing = dir.resolve("missing.pem");
        assertOneLine(assertThrows(IOException.class, () -> Pem.certificates(missing)), missing + ": no such file");
        final Path text = dir.resolve("text.pem");
        Files.writeString(text, "hello\n");
        assertOneLine(assertThrows(IOException.class, () -> Pem.privateKey(text)), text + ": no PEM block");
        assertOneLine(assertThrows(IOException.class, () -> Pem.certificates(text)), text + ": ");
        final Path garbage = dir.resolve("garbage.pem");
        TestCredentials.pem(garbage, "PRIVATE KEY", new byte[] {1, 2, 3});
        assertOneLine(assertThrows(IOException.class, () -> Pem.privateKey(garbage)), garbage + ": not a private key");
    }

    @Test
    void aCredentialsDirectoryThatIsNotOneSaysWhatItShouldHold() throws Exception
    {
        final IOException ex = assertThrows(IOException.class, () -> TlsCredentials.load(dir.resolve("none"), true));
        assertOneLine(ex, "is not a directory (it holds ca-cert.pem, server-cert.pem");
    }

    private static void assertOneLine(final IOException ex, final String says)
    {
        assertTrue(ex.getMessage().contains(says), ex.getMessage());
        assertTrue(!ex.getMessage().contains("\n"), ex.getMessage());
    }
}
