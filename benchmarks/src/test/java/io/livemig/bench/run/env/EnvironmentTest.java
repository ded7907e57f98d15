package io.livemig.bench.run.env;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * env.json's facts: parsed from the JVM's settings and /proc-style text (fixtures of a Zen 5 VM, a Sapphire
 * Rapids VM and a Zen 3 VM in {@code fixtures/cpuinfo}), unknown rather than failing.
 */
class EnvironmentTest
{
    @Test
    void readsJvmSettingsLines()
    {
        final String settings = "Property settings:\n    java.vendor = Eclipse Adoptium\n    java.version = 25.0.1\n" +
            "    java.vendor.url = https://adoptium.net/\n";
        assertEquals("Eclipse Adoptium", Environment.property(settings, "java.vendor"));
        assertEquals("25.0.1", Environment.property(settings, "java.version"));
        assertEquals("unknown", Environment.property(settings, "java.vm.name"));
    }

    @Test
    void readsProcStyleValues()
    {
        final String cpuinfo = "processor\t: 0\nmodel name\t: AMD EPYC 7B13\n" +
            "processor\t: 1\nmodel name\t: AMD EPYC 7B13\n";
        assertEquals("AMD EPYC 7B13", Environment.firstValue(cpuinfo, "model name"));
        assertEquals("unknown", Environment.firstValue("", "MemTotal"));
    }

    @Test
    void theRunningJdkIsDescribed()
    {
        final Map<String, String> jdk = Environment.jdk(Path.of(System.getProperty("java.home"), "bin", "java"));
        assertEquals(System.getProperty("java.version"), jdk.get("java.version"));
        assertEquals(System.getProperty("java.vendor"), jdk.get("java.vendor"));
    }

    @Test
    void outsideAGitCheckoutTheCommitIsUnknown(@TempDir final Path dir)
    {
        final Map<String, Object> git = Environment.git(dir);
        assertEquals("unknown", git.get("commit"));
        assertEquals("unknown", git.get("dirty"));
        assertTrue(Environment.machine().get("cores") instanceof Integer);
    }

    private static String cpuinfo(final String name) throws IOException
    {
        try (InputStream in = EnvironmentTest.class.getResourceAsStream("/fixtures/cpuinfo/" + name + ".txt"))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void zen5IsIdentified() throws IOException
    {
        final String text = cpuinfo("zen5-epyc-vm");
        final Map<String, Object> cpu = Environment.cpu(text);
        assertEquals("AuthenticAMD", cpu.get("vendor"));
        assertEquals(26, cpu.get("family"));
        assertEquals("0x1a", cpu.get("familyHex"));
        assertEquals(2, cpu.get("model"));
        assertEquals("0x02", cpu.get("modelHex"));
        assertEquals(1, cpu.get("stepping"));
        assertEquals("Zen 5", cpu.get("microarchitecture"));
        assertEquals(Map.of("sse4_2", "present", "avx2", "present", "bmi2", "present", "avx512f", "present",
            "avx512bw", "present", "avx512vl", "present"), Environment.simd(text));
        assertEquals(Map.of("flag", "present", "type", "kvm"), Environment.hypervisor(text, "", "kvm\n"));
    }

    @Test
    void sapphireRapidsIsIdentified() throws IOException
    {
        final String text = cpuinfo("sapphire-rapids");
        final Map<String, Object> cpu = Environment.cpu(text);
        assertEquals("GenuineIntel", cpu.get("vendor"));
        assertEquals("0x06", cpu.get("familyHex"));
        assertEquals(143, cpu.get("model"));
        assertEquals("0x8f", cpu.get("modelHex"));
        assertEquals(8, cpu.get("stepping"));
        assertEquals("Sapphire Rapids", cpu.get("microarchitecture"));
        assertEquals("present", Environment.simd(text).get("avx512vl"));
        assertEquals(Map.of("flag", "present", "type", "xen"), Environment.hypervisor(text, "xen\n", "kvm"));
    }

    @Test
    void zen3HasNoAvx512() throws IOException
    {
        final String text = cpuinfo("zen3-epyc-7b13");
        final Map<String, Object> cpu = Environment.cpu(text);
        assertEquals("0x19", cpu.get("familyHex"));
        assertEquals("Zen 3", cpu.get("microarchitecture"));
        final Map<String, String> simd = Environment.simd(text);
        assertEquals("present", simd.get("avx2"));
        assertEquals("present", simd.get("bmi2"));
        assertEquals("absent", simd.get("avx512f"));
        assertEquals("absent", simd.get("avx512bw"));
    }

    @Test
    void theTableSeparatesNeighbouringGenerations()
    {
        assertEquals("Skylake-SP", Environment.microarchitecture("GenuineIntel", 6, 0x55, 4));
        assertEquals("Cascade Lake", Environment.microarchitecture("GenuineIntel", 6, 0x55, 7));
        assertEquals("Ice Lake-SP", Environment.microarchitecture("GenuineIntel", 6, 0x6a, 6));
        assertEquals("Emerald Rapids", Environment.microarchitecture("GenuineIntel", 6, 0xcf, 2));
        assertEquals("Granite Rapids", Environment.microarchitecture("GenuineIntel", 6, 0xad, 1));
        assertEquals("Zen", Environment.microarchitecture("AuthenticAMD", 0x17, 0x01, 2));
        assertEquals("Zen+", Environment.microarchitecture("AuthenticAMD", 0x17, 0x08, 2));
        assertEquals("Zen 2", Environment.microarchitecture("AuthenticAMD", 0x17, 0x31, 0));
        assertEquals("Zen 4", Environment.microarchitecture("AuthenticAMD", 0x19, 0x11, 1));
        assertEquals("unknown", Environment.microarchitecture("GenuineIntel", 6, 0x01, 1));
        assertEquals("unknown", Environment.microarchitecture("HygonGenuine", 0x18, 0, 1));
        assertEquals("unknown", Environment.microarchitecture("unknown", -1, -1, -1));
    }

    @Test
    void garbageAndEmptyInputAreUnknown()
    {
        for (final String text : List.of("", "\u0000\u0001 garbage\n:::\ncpu family : twenty\nmodel\t: -3\nflags\t:"))
        {
            final Map<String, Object> cpu = Environment.cpu(text);
            cpu.forEach((k, v) -> assertEquals("unknown", v, k));
            Environment.simd(text).forEach((k, v) -> assertTrue(v.equals("unknown") || v.equals("absent"), k));
            Environment.caches(text).forEach((k, v) -> assertEquals("unknown", v, k));
            assertEquals(Map.of("flag", text.isEmpty() ? "unknown" : "absent", "type", "unknown"),
                Environment.hypervisor(text, "", ""));
        }
        assertEquals("none", Environment.compiler(""));
    }

    @Test
    void cachesComeFromSysfsLinesOrLscpu()
    {
        assertEquals(Map.of("L1d", "48K", "L2", "1024K", "L3", "32768K"), Environment.caches(
            "LEVEL1_ICACHE_SIZE                 32768\nLEVEL1_DCACHE_SIZE                 49152\n" +
            "LEVEL2_CACHE_SIZE                  1048576\nLEVEL3_CACHE_SIZE                  33554432\n" +
            "LEVEL4_CACHE_SIZE                  \n"));
        assertEquals(Map.of("L1d", "48K", "L2", "1024K", "L3", "32768K"),
            Environment.caches("1 Data 48K\n1 Instruction 32K\n2 Unified 1024K\n3 Unified 32768K\n  \n"));
        assertEquals(Map.of("L1d", "96 KiB (2 instances)", "L2", "2 MiB (2 instances)", "L3", "unknown"),
            Environment.caches("L1d cache:   96 KiB (2 instances)\nL1i cache:  64 KiB (2 instances)\n" +
                "L2 cache:    2 MiB (2 instances)\n"));
    }

    @Test
    void theCompilerIsTheFirstLineOfItsVersion()
    {
        assertEquals("cc (Debian 12.2.0-14+deb12u1) 12.2.0",
            Environment.compiler("cc (Debian 12.2.0-14+deb12u1) 12.2.0\nCopyright (C) 2022 Free Software Foundation\n"));
    }

    @Test
    void forkFlagsAreListedOnceWithTheirValues()
    {
        final List<String> opens = List.of("--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED");
        final List<String> fork = List.of("--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens",
            "java.base/jdk.internal.misc=ALL-UNNAMED", "-Dagrona.disable.bounds.checks=true", "-Xms2g", "-Xmx2g");
        assertEquals(List.of("--add-opens java.base/jdk.internal.misc=ALL-UNNAMED",
            "-Dagrona.disable.bounds.checks=true", "-Xms2g", "-Xmx2g", "-Xmx1g"),
            Environment.distinctFlags(List.of(fork, opens, List.of("-Xms2g", "-Xmx1g"))));
        assertEquals(List.of(), Environment.distinctFlags(List.of()));
    }

    @Test
    void thisMachineIsDescribedWithoutFailing()
    {
        final Map<String, Object> machine = Environment.machine();
        for (final String key : List.of("cpu", "vendor", "family", "familyHex", "model", "modelHex", "stepping",
            "microarchitecture", "simd", "caches", "hypervisor", "clocksource", "cc", "cores", "memory", "os", "kernel"))
        {
            assertTrue(machine.containsKey(key), key);
        }
        System.out.println("machine: " + machine);
    }

    @Test
    void readsTheChosenHugePageSettingAndTheRunsShareOfTheMachine()
    {
        assertEquals("madvise", Environment.chosen("always [madvise] never\n"));
        assertEquals("defer+madvise", Environment.chosen("always defer [defer+madvise] madvise never"));
        assertEquals("1", Environment.chosen("1\n"));
        assertEquals("unknown", Environment.chosen(""));
        final long[] start = Environment.cpuTicks("cpu  100 0 50 800 10 5 5 30 0 0\ncpu0 50 0 25 400 5 2 3 15 0 0\n");
        assertEquals(List.of(100L, 0L, 50L, 800L, 10L, 5L, 5L, 30L, 0L, 0L),
            java.util.Arrays.stream(start).boxed().toList());
        final long[] end = Environment.cpuTicks("cpu  400 0 150 1100 10 15 15 130 0 0\n");
        // over the run: busy 300 + 100 + 10 + 10 = 420, idle 300, steal 100 of 820 ticks
        final Map<String, Object> share = Environment.contention(start, end, "0.50", "1.90");
        assertEquals(51.2, share.get("busyPercent"));
        assertEquals(36.6, share.get("idlePercent"));
        assertEquals(12.2, share.get("stealPercent"));
        assertEquals("1.90", share.get("loadAverageAtEnd"));
        assertEquals("unknown", Environment.contention(new long[0], end, "?", "?").get("stealPercent"));
        assertEquals(0, Environment.cpuTicks("cpu  1 2 x\n").length, "a malformed line is no snapshot");
    }
}
