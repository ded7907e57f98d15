package io.livemig.migration.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The harness of the TLS file fuzz targets ({@link TlsKeyFileFuzzTest}, {@link TlsCertificateFileFuzzTest},
 * {@link TlsAuthzFileFuzzTest}): an input becomes the whole of one file, and a refusal must be an {@link
 * IOException} of one line that starts with the file's name. Not thread-safe: one target runs per JVM, one input
 * at a time, and each input overwrites the one file.
 */
final class TlsFileInputs
{
    private static Path dir;

    private TlsFileInputs()
    {
    }

    /** @return a file holding exactly {@code input}. */
    static Path file(final byte[] input) throws IOException
    {
        if (dir == null)
        {
            dir = Files.createTempDirectory("livemig-tls-fuzz");
            dir.toFile().deleteOnExit();
        }
        final Path file = dir.resolve("input.pem");
        file.toFile().deleteOnExit();
        return Files.write(file, input);
    }

    /** A read that must succeed, or refuse in one line naming {@code file}. */
    interface Read
    {
        void run() throws IOException;
    }

    /** Runs {@code read} on {@code file}: success, or a refusal of one line that starts with the file's name. */
    static void readOrRefuse(final Path file, final Read read)
    {
        try
        {
            read.run();
        }
        catch (final IOException ex)
        {
            final String message = String.valueOf(ex.getMessage());
            assertTrue(message.startsWith(file.toString()), () -> "a refusal that does not name the file: " + message);
            assertFalse(message.contains("\n"), () -> "a refusal of more than one line: " + message);
        }
    }
}
