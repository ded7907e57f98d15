package io.livemig.bench.codec;

import io.livemig.bench.anchor.AnchorBuild;
import io.livemig.bench.anchor.QemuAnchors;
import io.livemig.bench.state.RealGuestPages;
import io.livemig.bench.state.TestCorpus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** On the real-guest input, livemig's codecs and QEMU's C anchors give the same answers on the same bytes. */
class RealGuestAnchorsTest
{
    private static final int PAGES = 96;

    @TempDir
    static Path build;

    @BeforeAll
    static void buildAndLoad()
    {
        TestCorpus.install();
        if (!QemuAnchors.isLoaded())
        {
            final AnchorBuild.Result result = AnchorBuild.build(build, System.getenv());
            assumeTrue(result.built(), "no C anchors here: " + result.reason());
            QemuAnchors.load(result.library());
        }
    }

    @Test
    void encodersDecodersAndZeroChecksAgree()
    {
        final XbzrleEncodeBenchmark encode = new XbzrleEncodeBenchmark();
        encode.pattern = RealGuestPages.INPUT;
        encode.pages = PAGES;
        encode.setup();
        try
        {
            assertEquals(encode.encode(), encode.qemuEncode());
        }
        finally
        {
            encode.tearDown();
        }
        final XbzrleDecodeBenchmark decode = new XbzrleDecodeBenchmark();
        decode.pattern = RealGuestPages.INPUT;
        decode.pages = PAGES;
        decode.setup();
        try
        {
            assertEquals(decode.decode(), decode.qemuDecode());
        }
        finally
        {
            decode.tearDown();
        }
        final ZeroPageBenchmark zero = new ZeroPageBenchmark();
        zero.input = RealGuestPages.INPUT;
        zero.workingSet = "64m";
        zero.operations = PAGES;
        zero.setup();
        try
        {
            assertEquals(zero.isZero(), zero.qemuBufferIsZeroAvx2());
            assertEquals(zero.isZero(), zero.qemuBufferIsZero8xAvx2());
        }
        finally
        {
            zero.tearDown();
        }
    }
}
