package io.livemig.migration.tls;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzz target (scripts/fuzz TlsAuthzFileFuzzTest) of a {@code --tls-authz-file} list ({@link TlsAuthz#read}),
 * seeded with a list holding a comment, a blank line and two names. An input is the whole file; it must be read, or
 * refused with an {@link IOException} of one line that starts with the file's name ({@link TlsFileInputs}); any
 * other exception, or more than 10 s, fails the target.
 */
@Timeout(10)
class TlsAuthzFileFuzzTest
{
    @FuzzTest
    void readList(final byte[] input) throws IOException
    {
        final Path file = TlsFileInputs.file(input);
        TlsFileInputs.readOrRefuse(file, () -> assertTrue(TlsAuthz.read(file) != null));
    }
}
