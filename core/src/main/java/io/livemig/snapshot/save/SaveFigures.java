package io.livemig.snapshot.save;

import io.livemig.snapshot.file.SnapshotId;
import io.livemig.snapshot.file.SnapshotMode;

import java.util.List;

/**
 * What a save did. Immutable.
 *
 * @param id              the snapshot's id.
 * @param mode            how it was taken.
 * @param pagesPerPass    pages each pass handled (written or found zero), the last one with the vCPUs stopped.
 * @param writtenPages    page writes over all passes (a page written in two passes counts twice).
 * @param presentPages    pages whose bytes the file holds.
 * @param zeroPages       pages the file holds as holes.
 * @param converged       a live save stopped because the rest fit the downtime limit, not at the round limit.
 * @param totalNs         from the start to the header's force.
 * @param downtimeNs      vCPUs stopped: from the pause to the resume (0 without vCPUs).
 * @param lastPassNs      the last pass, with the vCPUs stopped.
 * @param finishNs        bitmap, digests, device state, force and header after the last pass.
 * @param directIo        the RAM went with {@code O_DIRECT}.
 * @param directIoRefusal why direct I/O was asked for and not used, or null.
 * @param copiedByFaults  a background save: pages copied by a vCPU's write fault before its store.
 */
public record SaveFigures(
    SnapshotId id, SnapshotMode mode, List<Long> pagesPerPass, long writtenPages, long presentPages, long zeroPages,
    boolean converged, long totalNs, long downtimeNs, long lastPassNs, long finishNs, boolean directIo,
    String directIoRefusal, long copiedByFaults)
{
}
