package io.livemig.bench.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.livemig.qemu.RealGuestCorpus;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * A small real-guest corpus made of seeded bytes, for tests: every third page zero, the rest text-like or random;
 * pairs that change a few bytes, and every fourth pair rewritten at random (its encoding overflows). Made once
 * per test JVM in a temporary directory and installed with {@link RealGuestPages#use}.
 */
public final class TestCorpus
{
    /** Pairs in the corpus. */
    public static final int PAIRS = 40;

    private static RealGuestCorpus corpus;

    private TestCorpus()
    {
    }

    /** @return the corpus, installed as this JVM's. */
    public static synchronized RealGuestCorpus install()
    {
        if (corpus == null)
        {
            try
            {
                final Path dir = Files.createTempDirectory("livemig-test-corpus-");
                dir.toFile().deleteOnExit();
                final SplittableRandom random = new SplittableRandom(7);
                final byte[] pages = new byte[RealGuestCorpus.PAGES * RealGuestCorpus.PAGE_SIZE];
                for (int p = 0; p < RealGuestCorpus.PAGES; p++)
                {
                    if (p % 3 == 0)
                    {
                        continue;
                    }
                    for (int i = 0; i < RealGuestCorpus.PAGE_SIZE; i++)
                    {
                        pages[p * RealGuestCorpus.PAGE_SIZE + i] = (byte)(p % 3 == 1 ? 'a' + random.nextInt(8) :
                            random.nextInt(256));
                    }
                }
                final byte[] pairs = new byte[PAIRS * 2 * RealGuestCorpus.PAGE_SIZE];
                for (int i = 0; i < PAIRS; i++)
                {
                    final int old = i * 2 * RealGuestCorpus.PAGE_SIZE;
                    final int now = old + RealGuestCorpus.PAGE_SIZE;
                    for (int b = 0; b < RealGuestCorpus.PAGE_SIZE; b++)
                    {
                        pairs[old + b] = (byte)random.nextInt(256);
                        pairs[now + b] = i % 4 == 3 ? (byte)random.nextInt(256) : pairs[old + b];
                    }
                    if (i % 4 != 3)
                    {
                        for (int k = 0; k < i % 4 * 5; k++)
                        {
                            pairs[now + random.nextInt(RealGuestCorpus.PAGE_SIZE)] ^= 0x5A;
                        }
                    }
                }
                final ObjectNode meta = new ObjectMapper().createObjectNode();
                meta.putObject("source").put("guest", "test");
                RealGuestCorpus.save(dir, pages, pairs, meta);
                for (final String file : new String[] {RealGuestCorpus.PAGES_FILE, RealGuestCorpus.PAIRS_FILE,
                    RealGuestCorpus.META_FILE})
                {
                    dir.resolve(file).toFile().deleteOnExit();
                }
                corpus = RealGuestCorpus.load(dir);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
        RealGuestPages.use(corpus);
        return corpus;
    }
}
