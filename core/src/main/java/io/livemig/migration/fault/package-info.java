/**
 * Injected link faults: a {@link io.livemig.migration.fault.FaultPlan} (cut or stall at a byte or at a
 * migration phase) and the {@link io.livemig.migration.fault.FaultyLink} that carries it out on any link, for
 * the fault campaign, the recovery tests and {@code scripts/migrate --fault}.
 *
 * <p>Level 3 of the migration packages (see {@code io.livemig.migration.link}). Depends on {@code link}.
 */
package io.livemig.migration.fault;
