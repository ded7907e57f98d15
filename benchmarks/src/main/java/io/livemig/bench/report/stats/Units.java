package io.livemig.bench.report.stats;

import java.util.Locale;

/**
 * JMH's score units and the conversions the report needs: seconds per operation from a time-per-op unit,
 * operations per second from a throughput unit, and link bandwidths from text. Stateless; thread-safe.
 */
public final class Units
{
    /** Bytes in a guest page. */
    public static final double PAGE_BYTES = 4096;

    private Units()
    {
    }

    /** @return seconds in one of JMH's time units ({@code ns, us, ms, s, min, hr}), or NaN. */
    static double seconds(final String timeUnit)
    {
        switch (timeUnit)
        {
            case "ns": return 1e-9;
            case "us": case "µs": return 1e-6;
            case "ms": return 1e-3;
            case "s": return 1;
            case "min": return 60;
            case "hr": return 3600;
            default: return Double.NaN;
        }
    }

    /**
     * @param value a score.
     * @param unit  its unit, {@code <time>/op}.
     * @return the score in seconds per operation, or NaN if the unit is not a time per operation.
     */
    public static double secondsPerOp(final double value, final String unit)
    {
        return unit.endsWith("/op") ? value * seconds(unit.substring(0, unit.length() - 3)) : Double.NaN;
    }

    /**
     * @param value a score.
     * @param unit  its unit, {@code ops/<time>}.
     * @return the score in operations per second, or NaN if the unit is not a throughput.
     */
    public static double opsPerSecond(final double value, final String unit)
    {
        return unit.startsWith("ops/") ? value / seconds(unit.substring(4)) : Double.NaN;
    }

    /**
     * Parses a bandwidth: a number and a unit, {@code B/s, KB/s, MB/s, GB/s} (powers of 1000), {@code KiB/s,
     * MiB/s, GiB/s} (powers of 1024) or {@code Mbit/s, Gbit/s} ({@code /s} optional, any case), e.g.
     * {@code 10Gbit}, {@code 1.25GB/s}, {@code 128MiB/s}.
     *
     * @return bytes per second.
     * @throws IllegalArgumentException naming the text and the accepted forms.
     */
    public static double parseBandwidth(final String text)
    {
        final String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        final java.util.regex.Matcher m =
            java.util.regex.Pattern.compile("([0-9]*\\.?[0-9]+(?:e[0-9]+)?)([a-z]+)(/s)?").matcher(t);
        if (m.matches())
        {
            final double number = Double.parseDouble(m.group(1));
            final double scale;
            switch (m.group(2))
            {
                case "b": scale = 1; break;
                case "kb": scale = 1e3; break;
                case "mb": scale = 1e6; break;
                case "gb": scale = 1e9; break;
                case "kib": scale = 1024; break;
                case "mib": scale = 1024.0 * 1024; break;
                case "gib": scale = 1024.0 * 1024 * 1024; break;
                case "mbit": case "mbps": scale = 1e6 / 8; break;
                case "gbit": case "gbps": scale = 1e9 / 8; break;
                default: scale = Double.NaN; break;
            }
            if (!Double.isNaN(scale) && number > 0)
            {
                return number * scale;
            }
        }
        throw new IllegalArgumentException("bad bandwidth '" + text +
            "' (expected a positive number and B/s, KB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s, Mbit/s or Gbit/s, " +
            "e.g. 10Gbit)");
    }

    /** @return e.g. {@code 1.25 GB/s (10 Gbit/s)}. */
    public static String bandwidthText(final double bytesPerSecond)
    {
        return Fmt.num(bytesPerSecond / 1e9) + " GB/s (" + Fmt.num(bytesPerSecond * 8 / 1e9) + " Gbit/s)";
    }

    /** @return GiB of a guest size parameter such as {@code 1g}, {@code 256g}, {@code 1t}; NaN if unknown. */
    public static double guestGiB(final String size)
    {
        final String s = size.trim().toLowerCase(Locale.ROOT);
        try
        {
            final double n = Double.parseDouble(s.substring(0, s.length() - 1));
            switch (s.charAt(s.length() - 1))
            {
                case 'm': return n / 1024;
                case 'g': return n;
                case 't': return n * 1024;
                default: return Double.parseDouble(s);
            }
        }
        catch (final RuntimeException ex)
        {
            return Double.NaN;
        }
    }
}
