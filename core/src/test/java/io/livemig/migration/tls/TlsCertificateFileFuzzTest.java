package io.livemig.migration.tls;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Fuzz target (scripts/fuzz TlsCertificateFileFuzzTest) of a certificate file of {@code --tls-creds} ({@link
 * Pem#certificates}), seeded with a self-signed certificate made for the corpus. An input is the whole file; it
 * must be read, or refused with an {@link IOException} of one line that starts with the file's name ({@link
 * TlsFileInputs}); any other exception, or more than 10 s, fails the target.
 */
@Timeout(10)
class TlsCertificateFileFuzzTest
{
    @FuzzTest
    void readCertificates(final byte[] input) throws IOException
    {
        final Path file = TlsFileInputs.file(input);
        TlsFileInputs.readOrRefuse(file, () -> assertFalse(Pem.certificates(file).isEmpty()));
    }
}
