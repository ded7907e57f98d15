package io.livemig.bench.run.env;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads the facts of a machine best-effort: a file's text, a command's output, each empty where it cannot be had,
 * so that a fact that cannot be read is recorded as unknown rather than failing a run.
 *
 * <p>Stateless; thread-safe.
 */
public final class BestEffort
{
    private BestEffort()
    {
    }

    /** @return the text of {@code file}, or empty if it cannot be read. */
    static String read(final Path file)
    {
        try
        {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        catch (final IOException | RuntimeException ex)
        {
            return "";
        }
    }

    /** Runs a command for its combined output; empty on any failure. */
    public static String run(final List<String> command, final Path dir)
    {
        try
        {
            final ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
            if (dir != null)
            {
                builder.directory(dir.toFile());
            }
            final Process process = builder.start();
            process.getOutputStream().close();
            final byte[] output;
            try (InputStream in = process.getInputStream())
            {
                output = in.readAllBytes();
            }
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0)
            {
                process.destroy();
                return "";
            }
            return new String(output, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "";
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
