/**
 * Simulated guests: which pages vCPUs write ({@link io.livemig.workload.AccessPattern}, by name through {@link
 * io.livemig.workload.Patterns}, including a real guest's {@link io.livemig.workload.DirtyTrace} replayed) and
 * the writer threads that write them into guest memory. Depends on {@code dirty} and {@code memory}.
 */
package io.livemig.workload;
