package io.livemig.migration.tls;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target (scripts/fuzz TlsKeyFileFuzzTest) of a private key file of {@code --tls-creds} ({@link
 * Pem#privateKey}): PKCS#8 or PKCS#1 RSA, seeded with a PKCS#8 EC key and a PKCS#1 RSA key (throwaway keys made for
 * the corpus, trusted by nothing). An input is the whole file; it must be read, or refused with an {@link
 * IOException} of one line that starts with the file's name ({@link TlsFileInputs}); any other exception, or more
 * than 10 s, fails the target.
 */
@Timeout(10)
class TlsKeyFileFuzzTest
{
    @FuzzTest
    void readKey(final byte[] input) throws IOException
    {
        final Path file = TlsFileInputs.file(input);
        TlsFileInputs.readOrRefuse(file, () -> assertTrue(Pem.privateKey(file) != null));
    }
}
