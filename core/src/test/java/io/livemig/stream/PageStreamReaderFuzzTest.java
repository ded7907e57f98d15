package io.livemig.stream;

import io.livemig.stream.read.PageStreamReader;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target of the page stream reader (scripts/fuzz PageStreamReaderFuzzTest): an input is a captured page
 * stream of an 8-page, 4 KiB-page guest named {@code pc.ram}, as {@code FuzzCorpusGenerator} records from
 * real migrations in every codec. Each input is read twice, to cover both of the reader's ways of applying
 * pages and of meeting its input:
 * <ol>
 * <li>onto a canary-filled guest, through a 64 KiB input buffer filled whole, requiring EOS at the end
 *     ({@code scripts/analyze-stream}'s read);</li>
 * <li>onto a zeroed guest declared {@link PageStreamReader#destinationStartsZero() zero} (a migration
 *     destination's read), through the smallest buffer the reader accepts and reads of 1 to 61 bytes,
 *     accepting a stream cut between records.</li>
 * </ol>
 * Each read must succeed or refuse cleanly ({@link HostileBytes}), and the guest must hold exactly what the
 * applied records left ({@link CanaryGuest}): nothing outside a record's page, nothing from a refused record.
 */
@Timeout(10)
class PageStreamReaderFuzzTest
{
    static final int PAGES = 8;
    static final int PAGE_SIZE = 4096;

    private static CanaryGuest guest;

    @FuzzTest
    void readCapture(final byte[] capture)
    {
        final CanaryGuest g = guest();
        HostileBytes.readOrRefuse(capture, () -> {
            final PageStreamReader reader =
                new PageStreamReader(new ChannelInput(HostileChannel.whole(capture), 64 << 10), g.memory());
            reader.setListener(g.reset(false, capture.length, capture.length));
            return () -> reader.readToEnd(true);
        });
        g.checkUntouched();

        HostileBytes.readOrRefuse(capture, () -> {
            final PageStreamReader reader = new PageStreamReader(
                new ChannelInput(HostileChannel.chunked(capture), PageStreamReader.requiredBufferBytes(PAGE_SIZE)),
                g.memory());
            reader.destinationStartsZero();
            reader.setListener(g.reset(true, 0, capture.length));
            return () -> reader.readToEnd(false);
        });
        g.checkUntouched();
    }

    private static CanaryGuest guest()
    {
        if (guest == null)
        {
            guest = new CanaryGuest(PAGES, PAGE_SIZE);
        }
        return guest;
    }

    @AfterAll
    static void closeGuest()
    {
        if (guest != null)
        {
            guest.close();
            guest = null;
        }
    }
}
