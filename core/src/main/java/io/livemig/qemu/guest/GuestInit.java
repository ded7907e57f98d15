package io.livemig.qemu.guest;

/**
 * The {@code /init} of livemig's Linux guest, a busybox shell script. It mounts proc, sys, devtmpfs and a
 * tmpfs on {@code /tmp}, starts the workload that the kernel command line names ({@code livemig.workload=idle}
 * or {@code mix}), prints {@value #READY} and then reads commands from the console (the serial port):
 * {@code stop} makes the workload finish its current step and exit, then prints {@value #STOPPED}.
 *
 * <p>The {@code mix} workload is a program mix over the tmpfs, in a loop: {@code dd} of random bytes, {@code
 * seq} of text, {@code sort}, {@code gzip}, {@code md5sum}, {@code cp}: pages of random data, of text, of
 * compressed data, rewritten every few hundred milliseconds; the page cache and the kernel's own memory
 * change with them. Stateless; thread-safe.
 */
public final class GuestInit
{
    /** Changes whenever the script does, so that a cached initramfs of an older script is not used. */
    public static final int VERSION = 1;
    /** Printed when the workload runs. */
    public static final String READY = "LIVEMIG-READY";
    /** Printed when the workload has stopped. */
    public static final String STOPPED = "LIVEMIG-STOPPED";

    private GuestInit()
    {
    }

    /** @return the script. */
    public static String script()
    {
        return String.join("\n",
            "#!/bin/busybox sh",
            "/bin/busybox --install -s /bin",
            "mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev 2>/dev/null",
            "mount -t tmpfs tmpfs /tmp",
            "workload=idle",
            "for a in $(cat /proc/cmdline); do case $a in livemig.workload=*) workload=${a#livemig.workload=};; esac; done",
            "mix() {",
            "  i=0",
            "  while [ ! -e /tmp/stop ]; do",
            "    i=$((i+1))",
            "    dd if=/dev/urandom of=/tmp/random bs=64k count=16 2>/dev/null",
            "    seq $((i*1000)) $((i*1000+20000)) > /tmp/text",
            "    sort -r /tmp/text > /tmp/sorted",
            "    gzip -c /tmp/sorted > /tmp/sorted.gz",
            "    gzip -c /tmp/random > /tmp/random.gz",
            "    md5sum /tmp/random.gz /tmp/sorted.gz > /tmp/sums",
            "    cp /tmp/sorted /tmp/copy",
            "  done",
            "}",
            "pid=",
            "case $workload in mix) mix & pid=$! ;; esac",
            "echo \"" + READY + " $workload\"",
            "while read -r command; do",
            "  case $command in",
            "    stop) touch /tmp/stop; [ -n \"$pid\" ] && wait $pid; sync; echo " + STOPPED + " ;;",
            "  esac",
            "done",
            "while true; do sleep 3600; done",
            "");
    }
}
