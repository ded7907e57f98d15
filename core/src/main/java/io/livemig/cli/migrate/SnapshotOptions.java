package io.livemig.cli.migrate;

import io.livemig.cli.BadOption;
import io.livemig.kernel.KernelTracker;
import io.livemig.kernel.KernelTracking;
import io.livemig.snapshot.file.SnapshotMode;
import io.livemig.snapshot.restore.RestoreMode;
import picocli.CommandLine.Option;

import java.nio.file.Path;

import static io.livemig.cli.BadOption.check;

/**
 * {@code migrate}'s snapshot options: {@code --to file:PATH} saves the guest to a file ({@code --snapshot}, {@code
 * --direct-io}), {@code --from file:PATH} builds a guest from one ({@code --restore}). Filled by picocli, then
 * read on the command's thread; not thread-safe.
 */
public final class SnapshotOptions
{
    /** How {@code --to} and {@code --from} name a snapshot file. */
    static final String FILE = "file:";

    @Option(names = "--from", paramLabel = "file:PATH",
        description = "build the guest from the snapshot file PATH (made by --to file:PATH) and resume its vCPUs")
    String from;

    @Option(names = "--snapshot", paramLabel = "MODE", defaultValue = "stopped",
        description = "with --to file:PATH: stopped (the vCPUs pause for the save, as savevm), live (pre-copy " +
            "into the file, the vCPUs stop only for the last pass) or background (the vCPUs run on from the " +
            "instant; a page is copied before their first write to it: userfaultfd write protection, JDK 22+) " +
            "(default ${DEFAULT-VALUE})")
    String snapshot;

    @Option(names = "--restore", paramLabel = "MODE", defaultValue = "eager",
        description = "with --from: eager (--channels threads fill the guest, then the vCPUs resume) or lazy (the " +
            "vCPUs resume at once, pages come on first touch, --faults software or kernel, and a prefetch " +
            "thread brings the rest) (default ${DEFAULT-VALUE})")
    String restore;

    @Option(names = "--diff-from", paramLabel = "file:PATH",
        description = "with --to file:PATH: a diff snapshot of the snapshot PATH (Firecracker's): the guest is " +
            "PATH's, restored, its vCPUs run --before, and only the pages they wrote go to the file, which names " +
            "PATH as its parent; a restore follows the chain")
    String diffFrom;

    @Option(names = "--direct-io", description = "with --to file:PATH: write guest pages with O_DIRECT, past the " +
        "page cache, where the file system allows it (else one line says why, and the cache is used)")
    boolean directIo;

    /** @return whether {@code to} names a snapshot file. */
    static boolean isFile(final String to)
    {
        return to != null && to.startsWith(FILE);
    }

    /** @return the path of {@code option}'s {@code file:PATH}. */
    static Path path(final String option, final String value) throws BadOption
    {
        check(isFile(value) && value.length() > FILE.length(), option, "must be file:PATH, not", value);
        return Path.of(value.substring(FILE.length()));
    }

    /** @return {@code --snapshot}'s mode, checked. */
    SnapshotMode mode() throws BadOption
    {
        final SnapshotMode mode = SnapshotMode.parse(snapshot);
        check(mode != null, "--snapshot", "must be stopped, live or background, not", snapshot);
        if (mode == SnapshotMode.BACKGROUND)
        {
            final String unavailable = KernelTracking.unavailable(KernelTracker.UFFD_WP);
            if (unavailable != null)
            {
                throw new BadOption("--snapshot", "background needs userfaultfd write protection (uffd-wp), " +
                    unavailable);
            }
        }
        return mode;
    }

    /** @return {@code --restore}'s mode, checked. */
    RestoreMode restoreMode() throws BadOption
    {
        final RestoreMode mode = RestoreMode.parse(restore);
        check(mode != null, "--restore", "must be eager or lazy, not", restore);
        return mode;
    }
}
