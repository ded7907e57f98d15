package io.livemig.qemu.guest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A client of QEMU's QMP monitor (JSON lines over a unix socket): reads the greeting, negotiates capabilities,
 * then runs one command at a time and returns its {@code "return"} value. Events that arrive meanwhile are
 * kept ({@link #events()}). Every command has a deadline.
 *
 * <p>Not thread-safe: one thread talks to QEMU.
 */
public final class QmpClient implements AutoCloseable
{
    /** Deadline of one command. */
    public static final long COMMAND_TIMEOUT_MS = 30_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final UnixLines lines;
    private final JsonNode version;
    private final List<JsonNode> events = new ArrayList<>();

    private QmpClient(final UnixLines lines, final JsonNode version)
    {
        this.lines = lines;
        this.version = version;
    }

    /**
     * Connects to the QMP socket at {@code path} (retrying until it exists), reads the greeting and leaves
     * capability negotiation.
     *
     * @throws IOException if QEMU does not answer as QMP does before {@code deadlineNanos}.
     */
    public static QmpClient connect(final Path path, final long deadlineNanos) throws IOException
    {
        final UnixLines lines = UnixLines.connect(path, deadlineNanos);
        try
        {
            final String greeting = lines.readLine(deadlineNanos);
            final JsonNode node = greeting == null ? null : JSON.readTree(greeting);
            if (node == null || !node.has("QMP"))
            {
                throw new IOException("not a QMP greeting: " + greeting);
            }
            final QmpClient client = new QmpClient(lines, node.at("/QMP/version"));
            client.execute("qmp_capabilities", null);
            return client;
        }
        catch (final IOException | RuntimeException ex)
        {
            lines.close();
            throw ex;
        }
    }

    /** @return QEMU's version, e.g. {@code 7.2.22}. */
    public String version()
    {
        final JsonNode q = version.path("qemu");
        return q.path("major").asInt() + "." + q.path("minor").asInt() + "." + q.path("micro").asInt();
    }

    /** @return the version's package, e.g. {@code Debian 1:7.2+dfsg-7+deb12u18+b3}. */
    public String versionPackage()
    {
        return version.path("package").asText("");
    }

    /**
     * Runs {@code command} with {@code arguments} (null for none).
     *
     * @return its {@code "return"} value.
     * @throws QmpException if QEMU answers with an error.
     * @throws IOException  if the connection fails or QEMU does not answer within {@value #COMMAND_TIMEOUT_MS} ms.
     */
    public JsonNode execute(final String command, final ObjectNode arguments) throws IOException
    {
        final ObjectNode request = JSON.createObjectNode().put("execute", command);
        if (arguments != null)
        {
            request.set("arguments", arguments);
        }
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(COMMAND_TIMEOUT_MS);
        lines.write(JSON.writeValueAsString(request) + "\n", deadline);
        while (true)
        {
            final String line;
            try
            {
                line = lines.readLine(deadline);
            }
            catch (final IOException ex)
            {
                throw new IOException("QMP " + command + ": " + ex.getMessage(), ex);
            }
            if (line == null)
            {
                throw new IOException("QMP " + command + ": QEMU closed the monitor");
            }
            if (line.isBlank())
            {
                continue;
            }
            final JsonNode answer = JSON.readTree(line);
            if (answer.has("event"))
            {
                events.add(answer);
                continue;
            }
            if (answer.has("error"))
            {
                throw new QmpException(command, answer.at("/error/class").asText(), answer.at("/error/desc").asText());
            }
            if (answer.has("return"))
            {
                return answer.get("return");
            }
            throw new IOException("QMP " + command + ": unexpected answer " + line);
        }
    }

    /** @return a new empty arguments object. */
    public static ObjectNode arguments()
    {
        return JSON.createObjectNode();
    }

    /** @return the events QEMU sent so far, in order. */
    public List<JsonNode> events()
    {
        return List.copyOf(events);
    }

    @Override
    public void close() throws IOException
    {
        lines.close();
    }

    /** An error answer of QMP. Immutable. */
    public static final class QmpException extends IOException
    {
        private static final long serialVersionUID = 1L;

        QmpException(final String command, final String errorClass, final String description)
        {
            super("QMP " + command + " failed: " + errorClass + ": " + description);
        }
    }

    /** @return the socket path QEMU is told to serve QMP on, in {@code dir}. */
    static Path socketIn(final Path dir)
    {
        return dir.resolve("qmp.sock");
    }
}
