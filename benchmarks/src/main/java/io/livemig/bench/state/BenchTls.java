package io.livemig.bench.state;

import io.livemig.migration.tls.TestCredentials;
import io.livemig.migration.tls.TlsAuthz;
import io.livemig.migration.tls.TlsConfig;
import io.livemig.migration.tls.TlsCredentials;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * TLS credentials for the benchmarks that encrypt: a CA, a server and a client pair made once per fork by the
 * tests' own maker ({@link TestCredentials}, EC P-256), in a temporary directory deleted when the fork exits,
 * loaded through livemig's own loader so that the benchmarks run the code a user's {@code --tls-creds} runs.
 *
 * <p>Thread-safe: made once under the class's lock, immutable after.
 */
public final class BenchTls
{
    private static TlsCredentials server;
    private static TlsCredentials client;

    private BenchTls()
    {
    }

    /** @return the destination's TLS, offering {@code suite} only. */
    public static TlsConfig destination(final String suite)
    {
        load();
        return TlsConfig.destination(server, TlsAuthz.ANY_SIGNED).cipherSuites(List.of(suite));
    }

    /** @return the source's TLS, offering {@code suite} only. */
    public static TlsConfig source(final String suite)
    {
        load();
        return TlsConfig.source(client, null).cipherSuites(List.of(suite));
    }

    private static synchronized void load()
    {
        if (server != null)
        {
            return;
        }
        try
        {
            final Path dir = Files.createTempDirectory("livemig-bench-tls");
            TestCredentials.good(dir);
            server = TlsCredentials.load(dir, true);
            client = TlsCredentials.load(dir, false);
            try (Stream<Path> files = Files.walk(dir))
            {
                for (final Path f : files.sorted(Comparator.reverseOrder()).toList())
                {
                    Files.delete(f);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot make the benchmarks' TLS credentials", ex);
        }
    }
}
