/**
 * Whole migrations: {@link io.livemig.migration.Migration} joins the two roles in one process, {@link
 * io.livemig.migration.MigrationRun} is a whole experiment ({@code scripts/migrate}: a guest, its writers, a
 * link, one role or both, verification) and {@link io.livemig.migration.MigrationListen} is a destination
 * process ({@code scripts/migrate --listen}), whose {@link io.livemig.migration.Admission} vets every connection
 * that arrives once a migration has begun.
 *
 * <p>The engine underneath is split by concern, each subpackage resting only on those below it:
 * <pre>
 *   io.livemig.migration            the run, both roles in one process, the listening destination
 *   source | destination            the two roles, which never use each other
 *   result                          what a migration reports
 *   channel | postcopy | throttle   page channels, post-copy gates and requests, dirty-limit
 *   wire                            envelope, handshake, hellos, digests, received bitmap
 *   options                         what a migration is asked to do
 *   fault                           injected link faults
 *   link                            what the roles talk over
 *   tls                             TLS 1.3 on a connection: credentials, authz, bounded handshakes
 * </pre>
 * {@code PackageOrderTest} checks the order. Depends on {@code dirty}, {@code memory}, {@code kernel},
 * {@code codec}, {@code stream} and {@code workload}.
 */
package io.livemig.migration;
