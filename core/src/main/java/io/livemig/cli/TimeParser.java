package io.livemig.cli;

import picocli.CommandLine;

import java.util.Locale;

/**
 * Parses durations written as an integer with a unit: {@code 300ms}, {@code 2s}, {@code 500us}; a bare
 * number is milliseconds. Stateless; thread-safe.
 */
public final class TimeParser
{
    private TimeParser()
    {
    }

    /**
     * @return the duration in nanoseconds.
     * @throws IllegalArgumentException naming the text if it is not a non-negative integer with ms, s or us.
     */
    public static long parseNanos(final String text)
    {
        final String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        final long unit;
        final String digits;
        if (s.endsWith("ms"))
        {
            unit = 1_000_000L;
            digits = s.substring(0, s.length() - 2);
        }
        else if (s.endsWith("us"))
        {
            unit = 1_000L;
            digits = s.substring(0, s.length() - 2);
        }
        else if (s.endsWith("s"))
        {
            unit = 1_000_000_000L;
            digits = s.substring(0, s.length() - 1);
        }
        else
        {
            unit = 1_000_000L;
            digits = s;
        }
        if (digits.isEmpty() || digits.length() > 12 || !digits.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            throw new IllegalArgumentException("invalid time '" + text + "': expected an integer with ms, s or us, e.g. 300ms");
        }
        return Long.parseLong(digits) * unit;
    }

    /** picocli converter to milliseconds (rounded down). */
    public static final class MillisConverter implements CommandLine.ITypeConverter<Long>
    {
        @Override
        public Long convert(final String value)
        {
            return new NanosConverter().convert(value) / 1_000_000L;
        }
    }

    /** picocli converter to nanoseconds. */
    public static final class NanosConverter implements CommandLine.ITypeConverter<Long>
    {
        @Override
        public Long convert(final String value)
        {
            try
            {
                return parseNanos(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.TypeConversionException(ex.getMessage());
            }
        }
    }
}
