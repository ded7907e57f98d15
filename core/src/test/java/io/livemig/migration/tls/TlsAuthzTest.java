package io.livemig.migration.tls;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.security.auth.x500.X500Principal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The authz list matches X.500 names, not strings, and refuses what is not a name in one line. */
class TlsAuthzTest
{
    @TempDir
    Path dir;

    @Test
    void namesMatchAsX500NamesNotAsStrings()
    {
        final TlsAuthz authz = TlsAuthz.of(List.of("CN=client1,O=example"));
        assertTrue(authz.permits(new X500Principal("cn=Client1, o=Example")));
        assertTrue(authz.permits(new X500Principal("CN=client1,  O=example")));
        assertFalse(authz.permits(new X500Principal("CN=client1,O=example,C=DE")), "another name");
        assertFalse(authz.permits(new X500Principal("O=example,CN=client1")), "the parts in another order");
        assertFalse(authz.permits(new X500Principal("CN=client2,O=example")));
    }

    @Test
    void anEmptyListLetsInEverySignedClient()
    {
        assertTrue(TlsAuthz.ANY_SIGNED.anySigned());
        assertTrue(TlsAuthz.ANY_SIGNED.permits(new X500Principal("CN=anyone")));
    }

    @Test
    void aFileHoldsOneNamePerLineWithCommentsAndANameThatDoesNotParseIsNamedWithItsLine() throws IOException
    {
        final Path file = dir.resolve("authz");
        Files.writeString(file, "# who may migrate here\nCN=a,O=x\n\n  CN=b,O=x  \n");
        final TlsAuthz authz = TlsAuthz.read(file);
        assertEquals(2, authz.size());
        assertTrue(authz.permits(new X500Principal("CN=b,O=x")));
        Files.writeString(file, "CN=a,O=x\nnot a name\n");
        final IOException ex = assertThrows(IOException.class, () -> TlsAuthz.read(file));
        assertTrue(ex.getMessage().startsWith(file + " line 2: name is not a distinguished name"), ex.getMessage());
        assertFalse(ex.getMessage().contains("\n"));
    }
}
