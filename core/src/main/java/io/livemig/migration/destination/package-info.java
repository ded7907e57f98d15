/**
 * The destination role: {@link io.livemig.migration.destination.MigrationDestination}, which applies the
 * stream to empty memory, resumes the guest and answers on the return path, and knows the source only through
 * the link.
 *
 * <p>Level 8 of the migration packages, beside {@code source}, which it never uses (see {@code
 * io.livemig.migration.link}). Depends on every level below it.
 */
package io.livemig.migration.destination;
