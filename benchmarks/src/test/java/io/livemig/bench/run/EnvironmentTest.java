package io.livemig.bench.run;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** env.json's facts: parsed from the JVM's settings and /proc-style text, unknown rather than failing. */
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
}
