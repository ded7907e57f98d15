package io.livemig.cli;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a {@code migrate} option that a {@code --listen} destination takes too. Every other option is the
 * source's: the destination learns the guest and the stream's options from the source's handshake and refuses
 * them by name ({@link DestinationRole}); the help lists the marked ones ({@link MigrateCommand}).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
@interface DestinationOption
{
}
