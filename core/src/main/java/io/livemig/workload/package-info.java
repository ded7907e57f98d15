/**
 * Simulated guests: which pages vCPUs write ({@link io.livemig.workload.AccessPattern}) and the writer
 * threads that write them into guest memory. Depends on {@code dirty} and {@code memory}.
 */
package io.livemig.workload;
