package io.livemig.cli;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code migrate} option that a {@code --listen} destination takes too. Every other option is the
 * source's: the destination learns the guest and the stream's options from the source's handshake and refuses
 * them by name ({@link io.livemig.cli.migrate.DestinationRole}); the help lists the marked ones ({@link
 * io.livemig.cli.migrate.MigrateCommand}). It lives here, below the commands, because {@link VerboseOption}, which
 * every command shares, is one such option.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface DestinationOption
{
}
