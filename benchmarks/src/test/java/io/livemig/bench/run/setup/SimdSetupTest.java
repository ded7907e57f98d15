package io.livemig.bench.run.setup;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimdSetupTest
{
    private static final String PKG = "io.livemig.bench.codec.";

    @Test
    void vectorPathAddsTheModuleAndExcludesNothing()
    {
        final SimdSetup setup = SimdSetup.of(true,
            "vector\t512-bit (64 byte lanes)\tvector\t256-bit (32 byte lanes)\tvector path (...)\n");
        assertEquals(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"),
            setup.forkArgs());
        assertEquals(List.of(), setup.excludes());
        assertEquals("vector", setup.env().get("offHeapPath"));
        assertEquals("vector", setup.env().get("path"));
        assertEquals("512-bit (64 byte lanes)", setup.env().get("species"));
        assertEquals("256-bit (32 byte lanes)", setup.env().get("offHeapSpecies"));
        assertEquals("vector path (...)", setup.env().get("description"));
    }

    @Test
    void scalarPathExcludesTheVectorMethodsWithItsReason()
    {
        final SimdSetup setup = SimdSetup.of(true, "scalar\tnone\tscalar\tnone\tscalar path: slower on JDK 17");
        assertEquals(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"),
            setup.forkArgs(), "module still added");
        assertEquals(List.of(SimdSetup.VECTOR_METHODS), setup.excludes());
        assertEquals(List.of("...Vector methods not measured: scalar path: slower on JDK 17"), setup.skipped());
        final Pattern exclude = Pattern.compile(SimdSetup.VECTOR_METHODS);
        assertTrue(exclude.matcher(PKG + "XbzrleEncodeBenchmark.encodeVector").find());
        assertTrue(exclude.matcher(PKG + "ZeroPageBenchmark.isZeroVector").find());
        assertFalse(exclude.matcher(PKG + "XbzrleEncodeBenchmark.encode").find());
        assertFalse(exclude.matcher(PKG + "XbzrleEncodeBenchmark.qemuEncodeAvx512").find());
    }

    @Test
    void aScalarOffHeapPathExcludesOnlyTheOffHeapVectorMethods()
    {
        final SimdSetup setup = SimdSetup.of(true, "vector\t512-bit (64 byte lanes)\tscalar\tnone\tvector path (...) for " +
            "heap pages, scalar for off-heap memory (needs JDK 22+, this is JDK 21)");
        assertEquals(List.of(SimdSetup.OFF_HEAP_VECTOR_METHODS), setup.excludes());
        assertEquals(List.of("...OffHeapVector methods not measured: vector path (...) for heap pages, scalar for " +
            "off-heap memory (needs JDK 22+, this is JDK 21)"), setup.skipped());
        final Pattern exclude = Pattern.compile(SimdSetup.OFF_HEAP_VECTOR_METHODS);
        assertTrue(exclude.matcher(PKG + "ZeroPageBenchmark.isZeroOffHeapVector").find());
        assertFalse(exclude.matcher(PKG + "ZeroPageBenchmark.isZeroVector").find());
        assertFalse(exclude.matcher(PKG + "ZeroPageBenchmark.isZero").find());
    }

    @Test
    void aJdkWithoutTheModuleGetsNoModuleFlag()
    {
        final SimdSetup setup = SimdSetup.of(false, "");
        assertEquals(List.of(), setup.forkArgs());
        assertEquals(List.of(SimdSetup.VECTOR_METHODS), setup.excludes());
        assertEquals("scalar", setup.env().get("path"));
        assertEquals(false, setup.env().get("module"));
    }

    @Test
    void probingThisJdkAgreesWithWhatItsJvmChose()
    {
        final Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        final SimdSetup setup = SimdSetup.probe(java, System.getProperty("java.class.path"));
        assertEquals(true, setup.env().get("module"), setup.env().toString());
        // surefire runs this JVM with the module too, so the probe must have chosen what this JVM chose
        assertEquals(io.livemig.codec.Simd.path(), setup.env().get("path"), setup.env().toString());
        assertEquals(io.livemig.codec.Simd.species(), setup.env().get("species"));
        assertEquals(io.livemig.codec.Simd.vectorOffHeap() ? "vector" : "scalar", setup.env().get("offHeapPath"));
        assertEquals(io.livemig.codec.Simd.offHeapSpecies(), setup.env().get("offHeapSpecies"));
    }
}
