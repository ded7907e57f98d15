package io.livemig.qemu;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regenerates the seed corpus of {@link QemuStreamFuzzTest}: two hand-made streams, and each real QEMU stream
 * named in {@code -Dlivemig.qemu.seeds=NAME=FILE,...} thinned by {@link QemuSeeds} to blocks of 256 KiB.
 * Skipped unless asked for: {@code mvn -B -o -q -pl core test -Dtest=QemuSeedGenerator
 * -Dsurefire.failIfNoSpecifiedTests=false -Dlivemig.fuzz.regenerate=true -Dlivemig.qemu.seeds=...} (the streams
 * come from {@code scripts/qemu-guest}, see docs/qemu.md). Replaces the {@code seed-*} files it writes.
 */
@EnabledIfSystemProperty(named = "livemig.fuzz.regenerate", matches = "true")
class QemuSeedGenerator
{
    static final Path SEEDS = Path.of("src/test/resources/io/livemig/qemu/QemuStreamFuzzTestInputs/readStream");

    @Test
    void regenerate() throws Exception
    {
        Files.createDirectories(SEEDS);
        Files.write(SEEDS.resolve("seed-handmade-whole"), QemuStreamReaderTest.whole().bytes());
        Files.write(SEEDS.resolve("seed-handmade-generated"), QemuStreamProperties.generate(19).bytes());
        final String real = System.getProperty("livemig.qemu.seeds", "");
        for (final String entry : real.split(","))
        {
            if (entry.isBlank())
            {
                continue;
            }
            final int eq = entry.indexOf('=');
            final byte[] seed = QemuSeeds.thin(Files.readAllBytes(Path.of(entry.substring(eq + 1))), 256 << 10);
            assertTrue(seed.length < 64 << 10, entry + ": " + seed.length + " bytes");
            QemuStreamReaderTest.read(seed, QemuStreamFuzzTest.LIMIT, 61).close();
            Files.write(SEEDS.resolve("seed-" + entry.substring(0, eq)), seed);
        }
    }
}
