/**
 * Throttles that make a guest that dirties memory faster than the link converge: QEMU's dirty-limit over the
 * dirty ring ({@link io.livemig.migration.throttle.DirtyLimit}). Auto-converge throttles the vCPUs through the
 * workload's own throttle.
 *
 * <p>Level 6 of the migration packages, beside {@code channel} and {@code postcopy} (see {@code
 * io.livemig.migration.link}). Depends on the dirty logs only.
 */
package io.livemig.migration.throttle;
