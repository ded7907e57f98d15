package io.livemig.bench.report.stats;

import java.util.Locale;

/**
 * Number formatting for reports: a value with its error to the error's second significant digit, plain
 * values to about four significant digits; and text for a Markdown table's cell. Stateless; thread-safe.
 */
public final class Fmt
{
    private Fmt()
    {
    }

    /** @return e.g. {@code 12.35 ± 0.21}, or just the value when the error is unknown. */
    public static String withError(final double value, final double error)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return "n/a";
        }
        if (Double.isNaN(error) || Double.isInfinite(error) || error <= 0)
        {
            return num(value);
        }
        int decimals = Math.max(0, Math.min(9, 1 - (int)Math.floor(Math.log10(error))));
        if (decimals > 0 && Math.round(error * Math.pow(10, decimals)) >= 100)
        {
            decimals--; // e.g. 0.0000099996 rounds up to 100 units of the last digit: one digit fewer
        }
        final String pattern = "%." + decimals + "f";
        return String.format(Locale.ROOT, pattern + " ± " + pattern, value, error);
    }

    /** @return a value to about four significant digits, with no exponent for ordinary magnitudes. */
    public static String num(final double value)
    {
        if (Double.isNaN(value) || Double.isInfinite(value))
        {
            return "n/a";
        }
        final double abs = Math.abs(value);
        if (abs == 0)
        {
            return "0";
        }
        if (abs >= 1e7 || abs < 1e-4)
        {
            return String.format(Locale.ROOT, "%.3e", value);
        }
        final int decimals = Math.max(0, Math.min(6, 3 - (int)Math.floor(Math.log10(abs))));
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** @return {@link #num} without trailing zeros, for figures quoted from elsewhere (e.g. {@code 0.43}). */
    public static String plain(final double value)
    {
        final String text = num(value);
        return text.contains(".") && !text.contains("e") ? text.replaceAll("0+$", "").replaceAll("\\.$", "") : text;
    }

    /** @return a signed percentage, e.g. {@code +12.3 %}. */
    public static String percent(final double fraction)
    {
        return String.format(Locale.ROOT, "%+.1f %%", fraction * 100);
    }

    /** @return {@code text} for a cell of a Markdown table: pipes escaped, line breaks as spaces. */
    public static String cell(final String text)
    {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
