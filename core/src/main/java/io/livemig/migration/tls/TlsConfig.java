package io.livemig.migration.tls;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import javax.security.auth.x500.X500Principal;

/**
 * One role's TLS: TLS 1.3 only, through JSSE's {@link SSLSocket}, both peers authenticated by the one CA of
 * {@link TlsCredentials}. The source ({@link #source}) checks that the destination's certificate names the host
 * it connects to, or {@code --tls-hostname}; the destination ({@link #destination}) demands a client
 * certificate and, after the handshake, checks its subject against {@link TlsAuthz}
 * ({@link #refusal}), so that it can tell the source why over the encrypted connection.
 *
 * <p>Every handshake is bounded: a timer closes the connection under a handshake that has not completed by its
 * deadline (a peer that trickles bytes cannot stretch it), and the failure says so in one line. The timers share
 * one daemon thread that ends when idle, so no thread outlives the handshakes.
 *
 * <p>Immutable; thread-safe: any number of handshakes may run at once.
 */
public final class TlsConfig
{
    /** The one protocol offered. */
    public static final String PROTOCOL = "TLSv1.3";
    /**
     * The cipher suite preferred: AES-128-GCM, the fastest of TLS 1.3's three on x86-64 with AES-NI (see
     * docs/tls.md for the measurement: {@code ChannelsBenchmark -p suite=...}).
     */
    public static final String DEFAULT_SUITE = "TLS_AES_128_GCM_SHA256";
    /** The suites offered, in order of preference; the destination picks by this order. */
    public static final List<String> DEFAULT_SUITES =
        List.of(DEFAULT_SUITE, "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    private static final ScheduledThreadPoolExecutor DEADLINES = deadlines();

    private final TlsCredentials credentials;
    private final String hostname;
    private final TlsAuthz authz;
    private final List<String> cipherSuites;

    private TlsConfig(final TlsCredentials credentials, final String hostname, final TlsAuthz authz,
        final List<String> cipherSuites)
    {
        this.credentials = credentials;
        this.hostname = hostname;
        this.authz = authz;
        this.cipherSuites = cipherSuites;
    }

    /**
     * The source's TLS.
     *
     * @param hostname the name the destination's certificate must carry, or null for the host connected to.
     */
    public static TlsConfig source(final TlsCredentials credentials, final String hostname)
    {
        requireRole(credentials, false);
        return new TlsConfig(credentials, hostname, TlsAuthz.ANY_SIGNED, DEFAULT_SUITES);
    }

    /** The destination's TLS, letting in the clients that {@code authz} names. */
    public static TlsConfig destination(final TlsCredentials credentials, final TlsAuthz authz)
    {
        requireRole(credentials, true);
        return new TlsConfig(credentials, null, authz, DEFAULT_SUITES);
    }

    /** @return this configuration offering only {@code suites}, in this order of preference (measurement's choice). */
    public TlsConfig cipherSuites(final List<String> suites)
    {
        return new TlsConfig(credentials, hostname, authz, List.copyOf(suites));
    }

    private static void requireRole(final TlsCredentials credentials, final boolean server)
    {
        if (credentials.server() != server)
        {
            throw new IllegalArgumentException("the " + (server ? "destination" : "source") + " needs the " +
                (server ? "server" : "client") + "'s credentials");
        }
    }

    /** @return whether this is the destination's. */
    public boolean server()
    {
        return credentials.server();
    }

    /** @return the credentials. */
    public TlsCredentials credentials()
    {
        return credentials;
    }

    /**
     * The source's handshake on a connected {@code channel}; on failure the channel is closed.
     *
     * @param to the address connected to: its host (as typed) is the name checked, unless {@code --tls-hostname}.
     * @throws TlsHandshakeTimeoutException if the handshake did not complete within {@code timeoutMs}.
     * @throws SSLHandshakeException  in one line naming the reason ({@link TlsFailure}).
     */
    public PeerSocket connect(final SocketChannel channel, final InetSocketAddress to, final long timeoutMs)
        throws IOException
    {
        if (server())
        {
            throw new IllegalStateException("the destination's TLS does not connect");
        }
        return handshake(channel, hostname != null ? hostname : to.getHostString(), to.getPort(), timeoutMs);
    }

    /**
     * The destination's handshake on an accepted {@code channel}; on failure the channel is closed. The client's
     * name is not checked here: see {@link #refusal}.
     */
    public PeerSocket accept(final SocketChannel channel, final long timeoutMs) throws IOException
    {
        if (!server())
        {
            throw new IllegalStateException("the source's TLS does not accept");
        }
        return handshake(channel, null, 0, timeoutMs);
    }

    /** @return why the destination refuses the client of {@code session}, or null if its name may migrate here. */
    public String refusal(final TlsSession session)
    {
        if (session == null)
        {
            return "not a TLS connection";
        }
        final X500Principal subject = new X500Principal(session.peer());
        return authz.permits(subject) ? null : "client " + session.peer() + " is not in the destination's authz list";
    }

    /** @return one line for {@code --verbose}: the protocol, the credentials and the authz list. */
    public String describe()
    {
        return PROTOCOL + ", credentials " + credentials.dir() + (server() ?
            (authz.anySigned() ? ", any client the CA signed" : ", " + authz.size() + " authorized client names") :
            ", destination name " + (hostname == null ? "the host connected to" : hostname));
    }

    private PeerSocket handshake(final SocketChannel channel, final String host, final int port, final long timeoutMs)
        throws IOException
    {
        final long t0 = System.nanoTime();
        final String peer = PeerSocket.peer(channel);
        final AtomicBoolean expired = new AtomicBoolean();
        final ScheduledFuture<?> timer = DEADLINES.schedule(() ->
        {
            expired.set(true);
            PeerSocket.close(channel);
        }, timeoutMs, TimeUnit.MILLISECONDS);
        try
        {
            final SSLSocket ssl = (SSLSocket)credentials.context().getSocketFactory()
                .createSocket(channel.socket(), host, port, true);
            final SSLParameters p = ssl.getSSLParameters();
            p.setProtocols(new String[] {PROTOCOL});
            p.setCipherSuites(cipherSuites.toArray(new String[0]));
            p.setUseCipherSuitesOrder(true);
            if (server())
            {
                p.setNeedClientAuth(true);
            }
            else
            {
                p.setEndpointIdentificationAlgorithm("HTTPS");
            }
            ssl.setSSLParameters(p);
            ssl.setUseClientMode(!server());
            ssl.setSoTimeout((int)Math.max(1, Math.min(Integer.MAX_VALUE, timeoutMs)));
            final long startMs = System.currentTimeMillis();
            ssl.startHandshake();
            ssl.setSoTimeout(0);
            final TlsSession session = new TlsSession(ssl.getSession().getProtocol(), ssl.getSession().getCipherSuite(),
                peerName(ssl), (System.nanoTime() - t0) / 1e6, ssl.getSession().getCreationTime() < startMs);
            if (!timer.cancel(false) || expired.get())
            {
                throw new TlsHandshakeTimeoutException("no TLS handshake with " + peer + " within " + timeoutMs + " ms");
            }
            return PeerSocket.secure(channel, ssl, session);
        }
        catch (final IOException | RuntimeException ex)
        {
            timer.cancel(false);
            PeerSocket.close(channel);
            if (expired.get() || ex instanceof SocketTimeoutException)
            {
                throw new TlsHandshakeTimeoutException("no TLS handshake with " + peer + " within " + timeoutMs + " ms");
            }
            final SSLHandshakeException failure = new SSLHandshakeException("TLS with " + peer + ": " +
                TlsFailure.reason(ex, host == null ? "this destination" : host));
            failure.initCause(ex);
            throw failure;
        }
    }

    private static String peerName(final SSLSocket ssl) throws SSLPeerUnverifiedException
    {
        return ((X500Principal)ssl.getSession().getPeerPrincipal()).getName();
    }

    private static ScheduledThreadPoolExecutor deadlines()
    {
        final ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r ->
        {
            final Thread t = new Thread(r, "tls-handshake-deadline");
            t.setDaemon(true);
            return t;
        });
        e.setKeepAliveTime(1, TimeUnit.SECONDS);
        e.allowCoreThreadTimeOut(true);
        e.setRemoveOnCancelPolicy(true);
        return e;
    }
}
