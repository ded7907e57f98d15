package io.livemig.cli;

/**
 * A bad option value: its name and what was wrong, printed by the command as one line,
 * {@code migrate: --NAME RULE: VALUE}, with exit status {@link io.livemig.cli.migrate.MigrateCommand#EXIT_USAGE}. The one place the
 * option pieces ({@link io.livemig.cli.migrate.GuestOptions}, {@link io.livemig.cli.migrate.MigrationParameters}, {@link io.livemig.cli.migrate.LinkOptions}, {@link io.livemig.cli.migrate.TrackerOptions},
 * {@link io.livemig.cli.migrate.OutputOptions}) state a rule. Immutable; thread-safe.
 */
public final class BadOption extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param option  the option's name, e.g. {@code --memory}.
     * @param message what is wrong with its value, completing the sentence that begins with the name.
     */
    public BadOption(final String option, final String message)
    {
        super(option + " " + message, null, false, false);
    }

    /**
     * @param ok     whether the rule holds.
     * @param option the option's name.
     * @param rule   the rule, e.g. {@code must be 0 to 256}.
     * @param value  the value that breaks it, printed after the rule.
     * @throws BadOption {@code OPTION RULE: VALUE} unless {@code ok}.
     */
    public static void check(final boolean ok, final String option, final String rule, final Object value) throws BadOption
    {
        if (!ok)
        {
            throw new BadOption(option, rule + ": " + value);
        }
    }
}
