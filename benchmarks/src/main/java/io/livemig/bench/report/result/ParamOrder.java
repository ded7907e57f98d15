package io.livemig.bench.report.result;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Orders {@code @Param} values as a reader expects: numbers by value (with size suffixes {@code k, m, g, t}
 * so that {@code 16g} comes before {@code 1t}), other text alphabetically after numbers. Stateless.
 */
public final class ParamOrder
{
    /** Compares two values. */
    public static final Comparator<String> VALUES = ParamOrder::compare;
    /** Compares value lists element by element, then by length. */
    public static final Comparator<List<String>> LISTS = (a, b) ->
    {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++)
        {
            final int c = compare(a.get(i), b.get(i));
            if (c != 0)
            {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    private ParamOrder()
    {
    }

    static int compare(final String a, final String b)
    {
        final double x = magnitude(a);
        final double y = magnitude(b);
        if (!Double.isNaN(x) && !Double.isNaN(y))
        {
            return Double.compare(x, y);
        }
        if (!Double.isNaN(x) || !Double.isNaN(y))
        {
            return Double.isNaN(x) ? 1 : -1;
        }
        return a.compareTo(b);
    }

    /** @return the value as a number, honouring k/m/g/t suffixes; NaN if it is not one. */
    static double magnitude(final String value)
    {
        final String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.isEmpty())
        {
            return Double.NaN;
        }
        double scale = 1;
        String number = v;
        switch (v.charAt(v.length() - 1))
        {
            case 'k': scale = 1e3; break;
            case 'm': scale = 1e6; break;
            case 'g': scale = 1e9; break;
            case 't': scale = 1e12; break;
            default: break;
        }
        if (scale != 1)
        {
            number = v.substring(0, v.length() - 1);
        }
        try
        {
            return Double.parseDouble(number) * scale;
        }
        catch (final NumberFormatException ex)
        {
            return Double.NaN;
        }
    }
}
