/**
 * Post-copy: the destination's gates that park a vCPU on a missing page and ask the source for it ({@link
 * io.livemig.migration.postcopy.PostcopyGate}, and {@link io.livemig.migration.postcopy.KernelPostcopyGate}
 * over userfaultfd MISSING faults), and the source's {@link io.livemig.migration.postcopy.RequestQueue} of the
 * pages they asked for.
 *
 * <p>Level 6 of the migration packages, beside {@code channel} and {@code throttle} (see {@code
 * io.livemig.migration.link}). Depends on {@code link} and {@code wire}.
 */
package io.livemig.migration.postcopy;
