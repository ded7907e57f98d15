package io.livemig.cli;

import picocli.CommandLine;

import java.util.Locale;

/**
 * Parses byte sizes as the command line spells them: a decimal number with an optional binary suffix,
 * {@code k} (2^10), {@code m} (2^20), {@code g} (2^30) or {@code t} (2^40), either case: {@code 4096},
 * {@code 4k}, {@code 64M}, {@code 1g}. Stateless; thread-safe.
 */
public final class SizeParser
{
    private SizeParser()
    {
    }

    /**
     * @param text the size, e.g. {@code "64m"}.
     * @return the size in bytes, at least 0.
     * @throws IllegalArgumentException naming the text and what is wrong, if it is not a size or overflows.
     */
    public static long parse(final String text)
    {
        if (text == null || text.isEmpty())
        {
            throw new IllegalArgumentException("empty size: expected bytes with an optional k, m, g or t suffix");
        }
        final String s = text.trim().toLowerCase(Locale.ROOT);
        final char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
        final int shift;
        switch (last)
        {
            case 'k': shift = 10; break;
            case 'm': shift = 20; break;
            case 'g': shift = 30; break;
            case 't': shift = 40; break;
            default: shift = 0; break;
        }
        final String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            throw new IllegalArgumentException("invalid size '" + text +
                "': expected bytes with an optional k, m, g or t suffix (powers of 1024), e.g. 4k or 1g");
        }
        final long value;
        try
        {
            value = Long.parseLong(digits);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("size '" + text + "' is too large", ex);
        }
        if (value > (Long.MAX_VALUE >>> shift))
        {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
        return value << shift;
    }

    /**
     * @param text a size per second, with or without {@code /s}: {@code 128m}, {@code 1g/s}.
     * @return bytes per second, at least 0.
     * @throws IllegalArgumentException as {@link #parse} does.
     */
    public static long parsePerSecond(final String text)
    {
        final String s = text == null ? "" : text.toLowerCase(Locale.ROOT);
        return parse(s.endsWith("/s") ? s.substring(0, s.length() - 2) : s);
    }

    /** @return {@code bytes} in the largest unit that divides it, e.g. {@code 65536 -> "64k"}. */
    public static String format(final long bytes)
    {
        final String[] units = {"t", "g", "m", "k"};
        for (int i = 0; i < units.length; i++)
        {
            final int shift = 40 - 10 * i;
            if (bytes != 0 && (bytes & ((1L << shift) - 1)) == 0)
            {
                return (bytes >>> shift) + units[i];
            }
        }
        return Long.toString(bytes);
    }

    /** picocli converter: {@code @Option(converter = SizeParser.Converter.class) long size}. */
    public static final class Converter implements CommandLine.ITypeConverter<Long>
    {
        @Override
        public Long convert(final String value)
        {
            try
            {
                return parse(value);
            }
            catch (final IllegalArgumentException ex)
            {
                throw new CommandLine.TypeConversionException(ex.getMessage());
            }
        }
    }
}
