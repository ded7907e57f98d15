package io.livemig.bench.run.env;

import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.livemig.bench.run.env.BestEffort.read;
import static io.livemig.bench.run.env.BestEffort.run;

/**
 * What {@code env.json} records about a run: the forks' JDK, the machine, the source tree and the run's
 * settings. Everything is gathered best-effort: a fact that cannot be read is recorded as {@code "unknown"}
 * rather than failing a run that has already measured.
 *
 * <p>Stateless; thread-safe.
 */
public final class Environment
{
    static final String UNKNOWN = "unknown";
    /** The SIMD extensions the hot paths' code generation depends on, as cpuinfo's {@code flags} spell them. */
    static final List<String> SIMD_FLAGS = List.of("sse4_2", "avx2", "bmi2", "avx512f", "avx512bw", "avx512vl");

    /** java launcher options whose value is the next word. */
    private static final Set<String> TWO_WORD_OPTIONS = Set.of("--add-opens", "--add-exports", "--add-reads",
        "--add-modules", "--patch-module", "--limit-modules", "--module-path", "--upgrade-module-path", "-p", "-cp",
        "-classpath", "--class-path");

    private Environment()
    {
    }

    /**
     * @param java  the forks' java executable.
     * @return vendor, version, VM name and version of that JVM, read from {@code java -XshowSettings:properties}.
     */
    public static Map<String, String> jdk(final Path java)
    {
        final Map<String, String> jdk = new LinkedHashMap<>();
        jdk.put("java", java.toString());
        final String settings = run(List.of(java.toString(), "-XshowSettings:properties", "-version"), null);
        for (final String key : List.of("java.vendor", "java.version", "java.runtime.version", "java.vm.name",
            "java.vm.version"))
        {
            jdk.put(key, property(settings, key));
        }
        return jdk;
    }

    /** @return the value of {@code key = value} in JVM settings output, or {@link #UNKNOWN}. */
    static String property(final String settings, final String key)
    {
        for (final String line : settings.split("\\R"))
        {
            final String trimmed = line.trim();
            if (trimmed.startsWith(key + " = "))
            {
                return trimmed.substring(key.length() + 3).trim();
            }
        }
        return UNKNOWN;
    }

    /**
     * @return this machine: CPU model name (as {@code cpu}), vendor, family, model, stepping and
     *         microarchitecture ({@link #cpu}), SIMD flags ({@link #simd}), caches ({@link #caches}), hypervisor
     *         ({@link #hypervisor}), clock source, C compiler ({@link #compiler}), logical cores, memory, OS and
     *         kernel.
     */
    public static Map<String, Object> machine()
    {
        final String cpuinfo = read(Path.of("/proc/cpuinfo"));
        final Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cpu", firstValue(cpuinfo, "model name"));
        machine.putAll(cpu(cpuinfo));
        machine.put("simd", simd(cpuinfo));
        Map<String, String> caches = caches(sysfsCaches(Path.of("/sys/devices/system/cpu/cpu0/cache")));
        if (caches.values().stream().allMatch(UNKNOWN::equals))
        {
            caches = caches(run(List.of("lscpu"), null));
        }
        if (caches.values().stream().allMatch(UNKNOWN::equals))
        {
            // glibc's getconf reads CPUID, which a VM without sysfs cache entries still answers
            caches = caches(run(List.of("getconf", "-a"), null));
        }
        machine.put("caches", caches);
        machine.put("hypervisor", hypervisor(cpuinfo, read(Path.of("/sys/hypervisor/type")),
            run(List.of("systemd-detect-virt", "--vm"), null)));
        machine.put("clocksource",
            orUnknown(read(Path.of("/sys/devices/system/clocksource/clocksource0/current_clocksource"))));
        machine.put("cc", compiler(run(List.of("cc", "--version"), null)));
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("memory", firstValue(read(Path.of("/proc/meminfo")), "MemTotal"));
        String os = System.getProperty("os.name") + " " + System.getProperty("os.arch");
        final String release = firstValue(read(Path.of("/etc/os-release")).replace('=', ':'), "PRETTY_NAME");
        if (!release.equals(UNKNOWN))
        {
            os = release.replace("\"", "") + " (" + os + ")";
        }
        machine.put("os", os);
        machine.put("kernel", System.getProperty("os.version"));
        return machine;
    }

    /**
     * The CPU's identity from {@code /proc/cpuinfo} text (its first processor): {@code vendor}, {@code family},
     * {@code model}, {@code stepping} (decimal, as cpuinfo gives them; integers when readable), {@code familyHex}
     * and {@code modelHex} (as vendors' documents name them, e.g. {@code 0x1a}) and {@code microarchitecture}
     * ({@link #microarchitecture}). Unreadable values are {@link #UNKNOWN}.
     *
     * @param cpuinfo the text of /proc/cpuinfo; anything, even empty.
     * @return the facts, in that order.
     */
    static Map<String, Object> cpu(final String cpuinfo)
    {
        final Map<String, Object> cpu = new LinkedHashMap<>();
        final String vendor = firstValue(cpuinfo, "vendor_id");
        final int family = number(firstValue(cpuinfo, "cpu family"));
        final int model = number(firstValue(cpuinfo, "model"));
        final int stepping = number(firstValue(cpuinfo, "stepping"));
        cpu.put("vendor", vendor);
        cpu.put("family", family < 0 ? UNKNOWN : (Object)family);
        cpu.put("familyHex", family < 0 ? UNKNOWN : String.format(Locale.ROOT, "0x%02x", family));
        cpu.put("model", model < 0 ? UNKNOWN : (Object)model);
        cpu.put("modelHex", model < 0 ? UNKNOWN : String.format(Locale.ROOT, "0x%02x", model));
        cpu.put("stepping", stepping < 0 ? UNKNOWN : (Object)stepping);
        cpu.put("microarchitecture", microarchitecture(vendor, family, model, stepping));
        return cpu;
    }

    /** @return a non-negative decimal, or -1. */
    private static int number(final String text)
    {
        return text.matches("\\d{1,9}") ? Integer.parseInt(text) : -1;
    }

    /**
     * The microarchitecture of a CPU identity, where a small table knows it ({@link CpuModels}: AMD's Zen
     * generations, Intel's family 6).
     *
     * @param vendor   {@code vendor_id}, e.g. AuthenticAMD or GenuineIntel.
     * @param family   the family (decimal), -1 if unknown.
     * @param model    the model (decimal), -1 if unknown.
     * @param stepping the stepping, -1 if unknown.
     * @return the name, or {@link #UNKNOWN}.
     */
    static String microarchitecture(final String vendor, final int family, final int model, final int stepping)
    {
        if ("AuthenticAMD".equals(vendor))
        {
            return CpuModels.amd(family, model);
        }
        if ("GenuineIntel".equals(vendor) && family == 6)
        {
            return CpuModels.intel(model, stepping);
        }
        return UNKNOWN;
    }

    /**
     * @param cpuinfo the text of /proc/cpuinfo.
     * @return each of {@link #SIMD_FLAGS} as {@code present} or {@code absent}; all {@link #UNKNOWN} without a
     *         {@code flags} line.
     */
    static Map<String, String> simd(final String cpuinfo)
    {
        final String flags = firstValue(cpuinfo, "flags");
        final List<String> present = List.of(flags.split("\\s+"));
        final Map<String, String> simd = new LinkedHashMap<>();
        for (final String flag : SIMD_FLAGS)
        {
            simd.put(flag, flags.equals(UNKNOWN) ? UNKNOWN : present.contains(flag) ? "present" : "absent");
        }
        return simd;
    }

    /**
     * Cache sizes from any of three texts: {@link #sysfsCaches}' lines {@code level type size} (e.g.
     * {@code 1 Data 48K}), {@code lscpu}'s {@code L1d cache: 48 KiB (1 instance)} lines, or {@code getconf -a}'s
     * {@code LEVEL1_DCACHE_SIZE 49152} lines (bytes, shown as {@code 48K}).
     *
     * @param text either text; anything, even empty.
     * @return {@code L1d}, {@code L2}, {@code L3} sizes as given, each {@link #UNKNOWN} if absent.
     */
    static Map<String, String> caches(final String text)
    {
        final Map<String, String> caches = new LinkedHashMap<>();
        for (final String level : List.of("L1d", "L2", "L3"))
        {
            caches.put(level, UNKNOWN);
        }
        for (final String line : text.split("\\R"))
        {
            final String[] words = line.trim().split("\\s+");
            if (words.length == 3 && words[0].matches("[123]") && !words[1].equals("Instruction"))
            {
                caches.put(words[0].equals("1") ? "L1d" : "L" + words[0], words[2]);
            }
        }
        final Map<String, String> getconf = Map.of("LEVEL1_DCACHE_SIZE", "L1d", "LEVEL2_CACHE_SIZE", "L2",
            "LEVEL3_CACHE_SIZE", "L3");
        for (final String line : text.split("\\R"))
        {
            final String[] words = line.trim().split("\\s+");
            if (words.length == 2 && getconf.containsKey(words[0]) && words[1].matches("[1-9][0-9]*"))
            {
                caches.put(getconf.get(words[0]), (Long.parseLong(words[1]) >> 10) + "K");
            }
        }
        for (final String level : List.of("L1d", "L2", "L3"))
        {
            final String value = firstValue(text, level + " cache");
            if (!value.equals(UNKNOWN) && !value.isEmpty())
            {
                caches.put(level, value);
            }
        }
        return caches;
    }

    /** @return one {@code level type size} line per cache of {@code dir}'s {@code index*} directories; or empty. */
    private static String sysfsCaches(final Path dir)
    {
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++)
        {
            final Path index = dir.resolve("index" + i);
            text.append(read(index.resolve("level")).trim()).append(' ').append(read(index.resolve("type")).trim())
                .append(' ').append(read(index.resolve("size")).trim()).append('\n');
        }
        return text.toString();
    }

    /**
     * @param cpuinfo        the text of /proc/cpuinfo ({@code hypervisor} flag).
     * @param sysHypervisor  the text of /sys/hypervisor/type (Xen and some others), or empty.
     * @param detectVirt     the output of {@code systemd-detect-virt --vm}, or empty.
     * @return {@code flag} (present, absent, unknown) and {@code type} (the first readable name, none, unknown).
     */
    static Map<String, String> hypervisor(final String cpuinfo, final String sysHypervisor, final String detectVirt)
    {
        final Map<String, String> hypervisor = new LinkedHashMap<>();
        final String flags = firstValue(cpuinfo, "flags");
        hypervisor.put("flag", flags.equals(UNKNOWN) ? UNKNOWN :
            List.of(flags.split("\\s+")).contains("hypervisor") ? "present" : "absent");
        final String type = orUnknown(sysHypervisor);
        hypervisor.put("type", type.equals(UNKNOWN) ? orUnknown(detectVirt) : type);
        return hypervisor;
    }

    /** @return the first line of {@code cc --version} output, or {@code none}. */
    static String compiler(final String version)
    {
        final String first = version.lines().findFirst().orElse("").trim();
        return first.isEmpty() ? "none" : first;
    }

    /** @return the first line of a one-word file or command output, trimmed, or {@link #UNKNOWN}. */
    private static String orUnknown(final String text)
    {
        final String first = text.lines().findFirst().orElse("").trim();
        return first.isEmpty() || first.length() > 200 ? UNKNOWN : first;
    }

    /**
     * The memory settings a page-reading benchmark depends on, both for livemig's rows and for the C anchors (one
     * process, one setting): transparent huge pages ({@code enabled}, {@code defrag}, khugepaged's {@code defrag},
     * each the bracketed choice of its sysfs file), address-space randomisation ({@code randomize_va_space}: 2
     * places every mapping, the anchors' code included, somewhere else in each fork) and automatic NUMA
     * balancing. Unreadable values are {@link #UNKNOWN}.
     */
    public static Map<String, Object> memory()
    {
        final Map<String, Object> memory = new LinkedHashMap<>();
        final Path thp = Path.of("/sys/kernel/mm/transparent_hugepage");
        memory.put("thpEnabled", chosen(read(thp.resolve("enabled"))));
        memory.put("thpDefrag", chosen(read(thp.resolve("defrag"))));
        memory.put("thpKhugepagedDefrag", orUnknown(read(thp.resolve("khugepaged/defrag"))));
        memory.put("aslr", orUnknown(read(Path.of("/proc/sys/kernel/randomize_va_space"))));
        memory.put("numaBalancing", orUnknown(read(Path.of("/proc/sys/kernel/numa_balancing"))));
        return memory;
    }

    /**
     * @param sysfs a sysfs choice file's text, e.g. {@code always [madvise] never}.
     * @return the bracketed choice ({@code madvise}), the text itself when it has no brackets, or {@link #UNKNOWN}.
     */
    static String chosen(final String sysfs)
    {
        final String text = orUnknown(sysfs);
        final int open = text.indexOf('[');
        final int close = text.indexOf(']', open + 1);
        return open >= 0 && close > open ? text.substring(open + 1, close) : text;
    }

    /**
     * The CPU's clock policy as the kernel shows it (none of it is readable inside most VMs, where the host owns
     * the clock): cpufreq driver, governor, boost, energy-performance preference of CPU 0, and {@code cpu MHz} of
     * the first processor in /proc/cpuinfo when the run starts. Unreadable values are {@link #UNKNOWN}.
     */
    public static Map<String, Object> clock()
    {
        final Path cpufreq = Path.of("/sys/devices/system/cpu/cpu0/cpufreq");
        final Map<String, Object> clock = new LinkedHashMap<>();
        clock.put("driver", orUnknown(read(cpufreq.resolve("scaling_driver"))));
        clock.put("governor", orUnknown(read(cpufreq.resolve("scaling_governor"))));
        final String boost = orUnknown(read(Path.of("/sys/devices/system/cpu/cpufreq/boost")));
        final String noTurbo = orUnknown(read(Path.of("/sys/devices/system/cpu/intel_pstate/no_turbo")));
        clock.put("boost", !boost.equals(UNKNOWN) || noTurbo.equals(UNKNOWN) ? boost : "no_turbo=" + noTurbo);
        clock.put("energyPerformancePreference",
            orUnknown(read(cpufreq.resolve("energy_performance_preference"))));
        clock.put("cpuMHzAtStart", firstValue(read(Path.of("/proc/cpuinfo")), "cpu MHz"));
        clock.put("smt", orUnknown(read(Path.of("/sys/devices/system/cpu/smt/active"))));
        return clock;
    }

    /** @return the aggregate {@code cpu} line of /proc/stat as ticks (user, nice, system, idle, iowait, irq, softirq, steal...), or empty. */
    public static long[] cpuTicks()
    {
        return cpuTicks(read(Path.of("/proc/stat")));
    }

    /** @return the ticks of {@code stat}'s aggregate {@code cpu} line, or an empty array. */
    static long[] cpuTicks(final String stat)
    {
        for (final String line : stat.split("\\R"))
        {
            final String[] f = line.trim().split("\\s+");
            if (f.length >= 9 && f[0].equals("cpu"))
            {
                final long[] ticks = new long[f.length - 1];
                for (int i = 1; i < f.length; i++)
                {
                    if (!f[i].matches("\\d{1,18}"))
                    {
                        return new long[0];
                    }
                    ticks[i - 1] = Long.parseLong(f[i]);
                }
                return ticks;
            }
        }
        return new long[0];
    }

    /** @return the first field of /proc/loadavg (the 1-minute load), or {@link #UNKNOWN}. */
    public static String loadAverage()
    {
        final String text = orUnknown(read(Path.of("/proc/loadavg")));
        return text.equals(UNKNOWN) ? text : text.split("\\s+")[0];
    }

    /**
     * How much of the machine the run had, from /proc/stat's aggregate ticks at its start and end: the shares
     * of all CPU time that were busy (user, nice, system, irq, softirq), idle (idle, iowait) and stolen by the
     * hypervisor (steal: another guest ran on this VM's CPUs), in percent, and the 1-minute load average at
     * each end. A run with other work on the machine shows it as less idle time than its own forks leave, and
     * a noisy host as steal.
     *
     * @return the shares, or {@link #UNKNOWN} values when either snapshot is missing.
     */
    public static Map<String, Object> contention(final long[] start, final long[] end, final String loadAtStart,
                                                 final String loadAtEnd)
    {
        final Map<String, Object> share = new LinkedHashMap<>();
        if (start.length < 8 || end.length < 8)
        {
            share.put("busyPercent", UNKNOWN);
            share.put("idlePercent", UNKNOWN);
            share.put("stealPercent", UNKNOWN);
        }
        else
        {
            final long[] d = new long[8];
            long total = 0;
            for (int i = 0; i < 8; i++)
            {
                d[i] = end[i] - start[i];
                total += d[i];
            }
            final double t = Math.max(1, total);
            share.put("busyPercent", round1(100 * (d[0] + d[1] + d[2] + d[5] + d[6]) / t));
            share.put("idlePercent", round1(100 * (d[3] + d[4]) / t));
            share.put("stealPercent", round1(100 * d[7] / t));
        }
        share.put("loadAverageAtStart", loadAtStart);
        share.put("loadAverageAtEnd", loadAtEnd);
        return share;
    }

    private static double round1(final double value)
    {
        return Math.round(value * 10) / 10.0;
    }

    /**
     * The forks' JVM flags, each once, in order of first appearance: an option that takes its value as the
     * next word ({@code --add-opens X}, {@code -cp X}...) counts as one flag.
     *
     * @param jvmArgs the forks' argument lists.
     * @return the flags.
     */
    public static List<String> distinctFlags(final Collection<? extends List<String>> jvmArgs)
    {
        final Set<String> flags = new LinkedHashSet<>();
        for (final List<String> args : jvmArgs)
        {
            for (int i = 0; i < args.size(); i++)
            {
                final String arg = args.get(i);
                if (TWO_WORD_OPTIONS.contains(arg) && i + 1 < args.size())
                {
                    flags.add(arg + " " + args.get(++i));
                }
                else
                {
                    flags.add(arg);
                }
            }
        }
        return List.copyOf(flags);
    }

    /** @return the first {@code key: value} value in a /proc-style text, or {@link #UNKNOWN}. */
    static String firstValue(final String text, final String key)
    {
        for (final String line : text.split("\\R"))
        {
            final int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key))
            {
                return line.substring(colon + 1).trim();
            }
        }
        return UNKNOWN;
    }

    /** @return the commit checked out in {@code dir} and whether the tree has uncommitted changes. */
    public static Map<String, Object> git(final Path dir)
    {
        final Map<String, Object> git = new LinkedHashMap<>();
        final String commit = run(List.of("git", "rev-parse", "HEAD"), dir).trim();
        git.put("commit", commit.matches("[0-9a-f]{40}") ? commit : UNKNOWN);
        final String status = run(List.of("git", "status", "--porcelain", "--untracked-files=no"), dir);
        git.put("dirty", commit.matches("[0-9a-f]{40}") ? (Object)!status.isBlank() : UNKNOWN);
        return git;
    }
}
