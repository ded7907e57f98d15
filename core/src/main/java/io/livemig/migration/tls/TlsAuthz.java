package io.livemig.migration.tls;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * The destination's authorization list (QEMU's {@code tls-authz}): the client certificate subjects that may
 * migrate into it. A name is written as RFC 2253 prints it ({@code CN=client1,O=example}, as {@link
 * X500Principal#getName()} gives it) and matched as an X.500 name ({@link X500Principal#equals}: canonical form,
 * so attribute case and spacing do not matter), never as a string. An empty list lets in every client whose
 * certificate the CA signed, as QEMU does without {@code tls-authz}.
 *
 * <p>Immutable; thread-safe.
 */
public final class TlsAuthz
{
    /** Every client the CA signed. */
    public static final TlsAuthz ANY_SIGNED = new TlsAuthz(List.of());

    private final Set<X500Principal> names;

    private TlsAuthz(final List<X500Principal> names)
    {
        this.names = Set.copyOf(new LinkedHashSet<>(names));
    }

    /**
     * @param dns distinguished names, RFC 2253.
     * @throws IllegalArgumentException naming the first one that is not a distinguished name.
     */
    public static TlsAuthz of(final List<String> dns)
    {
        final List<X500Principal> names = new ArrayList<>();
        for (final String dn : dns)
        {
            names.add(parse(dn, "authz name"));
        }
        return new TlsAuthz(names);
    }

    /**
     * Reads one name per line; blank lines and lines starting with {@code #} are skipped.
     *
     * @throws IOException naming the file and line of a name that does not parse.
     */
    public static TlsAuthz read(final Path file) throws IOException
    {
        if (Files.size(file) > Pem.MAX_FILE)
        {
            throw new IOException(file + ": " + Files.size(file) + " bytes, more than an authz list holds");
        }
        final List<String> lines;
        try
        {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        }
        catch (final CharacterCodingException ex)
        {
            throw new IOException(file + ": not UTF-8 text", ex);
        }
        final List<X500Principal> names = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++)
        {
            final String line = lines.get(i).strip();
            if (!line.isEmpty() && !line.startsWith("#"))
            {
                try
                {
                    names.add(parse(line, "name"));
                }
                catch (final IllegalArgumentException ex)
                {
                    throw new IOException(file + " line " + (i + 1) + ": " + ex.getMessage(), ex);
                }
            }
        }
        return new TlsAuthz(names);
    }

    /** @return this list with {@code other}'s names added. */
    public TlsAuthz and(final TlsAuthz other)
    {
        final List<X500Principal> all = new ArrayList<>(names);
        all.addAll(other.names);
        return new TlsAuthz(all);
    }

    /** @return whether the list is empty: every signed client is let in. */
    public boolean anySigned()
    {
        return names.isEmpty();
    }

    /** @return whether a client certificate with this subject may migrate here. */
    public boolean permits(final X500Principal subject)
    {
        return names.isEmpty() || names.contains(subject);
    }

    /** @return the number of names. */
    public int size()
    {
        return names.size();
    }

    private static X500Principal parse(final String dn, final String what)
    {
        try
        {
            return new X500Principal(dn);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(what + " is not a distinguished name (RFC 2253, e.g. CN=client1,O=example): " +
                dn, ex);
        }
    }
}
