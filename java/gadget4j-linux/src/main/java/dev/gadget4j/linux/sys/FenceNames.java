package dev.gadget4j.linux.sys;

import java.util.Arrays;

/**
 * What the names in a SYNC_IOC_FILE_INFO reading say about whose a fence is, on this kernel.
 *
 * <p>FunctionFS names its fences' driver {@code functionfs}, and up to 6.12 SYNC_IOC_FILE_INFO
 * reports that name for as long as the fence lives. Later kernels no longer ask a signalled
 * fence's driver for its names, since the driver may have freed them: upstream's "dma-fence: Add
 * safe access helpers and document the rules" (506aa8b02a8d) and "sync_file: Protect access to
 * driver and timeline name" (ad10976d6cf0), in Linux 6.17, make SYNC_IOC_FILE_INFO report
 * {@code detached-driver} and {@code signaled-timeline} for every signalled fence. A transfer's
 * own fence then reads {@code functionfs} while it is pending and the placeholders once it has
 * signalled, as does the kernel's stub fence, which an export holds when the buffer had no
 * pending fence (the transfer completed before it): the two are told apart by the stub's signal
 * time, which has stayed the same since the kernel first used it.
 *
 * <p>So the stub is read once ({@link #learnStub}, from a DMABUF that no device has used yet,
 * whose export is the stub): its names say whether this kernel hides a signalled fence's names
 * and what it shows instead (so a later rename of the placeholders changes nothing), and its
 * signal time identifies it. On a kernel that hides them, a signalled fence with the
 * placeholder names that is not the stub may be a FunctionFS fence; a signalled fence of
 * another driver on the same buffer then reads the same, and the library's attribution treats
 * it as one of several fences it cannot tell apart. Until the stub is known (or when reading it
 * failed) only the names count, as on 6.12.
 *
 * <p>{@code -Dgadget4j.linux.hideSignalledFenceNames=true} makes the library rewrite each
 * reading as those kernels report it, so that a kernel that still shows the names (the VM's
 * 6.12) exercises the same code; it is meant for testing the library.
 */
public final class FenceNames {
    /** FunctionFS's driver name for its fences. */
    private static final byte[] FUNCTIONFS = FenceScratch.driverName("functionfs");
    /**
     * How a sync_file whose one fence is FunctionFS's begins its name: the kernel makes it
     * {@code <driver>-<timeline><context>-<seqno>}, and FunctionFS's timeline name is empty.
     */
    private static final NamePrefix FUNCTIONFS_FILE = NamePrefix.of("functionfs-");
    private static final byte[] STUB = FenceScratch.driverName("stub");
    /** What kernels since the change above report for a signalled fence. */
    private static final byte[] HIDDEN_DRIVER = FenceScratch.driverName("detached-driver");
    private static final byte[] HIDDEN_TIMELINE = FenceScratch.driverName("signaled-timeline");
    /** A signalled sync_file's name there: those two joined the same way (cut to fit). */
    private static final byte[] HIDDEN_FILE = FenceScratch.driverName("detached-driver-signaled-timeline");
    static final boolean EMULATE_HIDDEN = Boolean.getBoolean("gadget4j.linux.hideSignalledFenceNames");

    /**
     * The stub as SYNC_IOC_FILE_INFO reports it; {@code hides}: its names are not its own;
     * {@code fileName}: the name of a sync_file that holds it alone, as a count-only reading
     * gives it (null: not read).
     */
    private record Stub(byte[] driver, byte[] timeline, long signalledAt, boolean hides, byte[] fileName) {
    }

    private static volatile Stub stub;

    private FenceNames() {
    }

    /**
     * Whether fence {@code i} of the reading in {@code s} may be a FunctionFS fence: it is named
     * so, or it signalled on a kernel that hides the names of signalled fences and is not the stub.
     */
    public static boolean mayBeFunctionFs(FenceScratch s, int i) {
        if (s.fenceDriverIs(i, FUNCTIONFS)) {
            return true;
        }
        Stub k = stub;
        return k != null && k.hides && s.fenceStatus(i) != 0 && s.fenceTimestamp(i) != k.signalledAt
                && s.fenceDriverIs(i, k.driver) && s.fenceTimelineIs(i, k.timeline);
    }

    /**
     * Whether a count-only reading ({@link FenceCalls#fileStatus}) in {@code s} shows one fence,
     * named as FunctionFS names its fences: the file's status is then that fence's. False for
     * the stub, several fences, and a signalled fence on a kernel that hides its names (the full
     * reading decides those).
     */
    public static boolean loneFunctionFs(FenceScratch s) {
        return s.fenceCount() == 1 && s.fileNameStartsWith(FUNCTIONFS_FILE);
    }

    /**
     * Whether a count-only reading ({@link FenceCalls#fileStatus}) in {@code s} shows the stub
     * alone, on a kernel that shows signalled fences' names: the export was taken after the
     * transfer completed, which a full reading would only confirm (no FunctionFS fence in it).
     */
    public static boolean loneStub(FenceScratch s) {
        Stub k = stub;
        return k != null && !k.hides && k.fileName != null && s.fenceCount() == 1 && s.fileStatus() == 1
                && s.fileNameIs(k.fileName);
    }

    /**
     * Whether a count-only reading can name a signalled fence here: false once the stub showed
     * that this kernel hides the names of signalled fences, where a done transfer's count-only
     * reading would only precede the full one.
     */
    public static boolean showsSignalledNames() {
        Stub k = stub;
        return k == null || !k.hides;
    }

    /** Whether the stub has been read. */
    public static boolean stubKnown() {
        return stub != null;
    }

    /**
     * Reads the stub from an export of {@code freshDmabufFd}, a DMABUF no device has used (so its
     * export holds nothing but the stub). Leaves the stub unknown when any step fails.
     */
    public static void learnStub(int freshDmabufFd) {
        FenceScratch s = FenceScratch.current();
        int sync = FenceCalls.exportSyncFile(freshDmabufFd, Constants.DMA_BUF_SYNC_RW, s);
        if (sync < 0) {
            return;
        }
        try {
            if (FenceCalls.fileInfo(sync, s) == 0) {
                learnStub(s);
                if (FenceCalls.fileStatus(sync, s) == 0) {
                    learnStubFileName(s);
                }
            }
        } finally {
            FenceCalls.closeSyncFile(sync);
        }
    }

    /** {@link #learnStub(int)}'s reading of the stub's export, in {@code s}. */
    static void learnStub(FenceScratch s) {
        if (s.fenceCount() != 1 || s.fenceStatus(0) != 1) {
            return; // not the stub: leave the names alone
        }
        byte[] driver = s.fenceDriver(0);
        stub = new Stub(driver, s.fenceTimeline(0), s.fenceTimestamp(0), !Arrays.equals(driver, STUB), null);
    }

    /**
     * {@link #learnStub(int)}'s count-only reading of the same export, in {@code s}, after
     * {@link #learnStub(FenceScratch)} knew the stub: the name of a sync_file that holds the
     * stub alone ({@code stub-stub0-0} on 6.12).
     */
    static void learnStubFileName(FenceScratch s) {
        Stub k = stub;
        if (k != null && s.fenceCount() == 1 && s.fileStatus() == 1) {
            stub = new Stub(k.driver, k.timeline, k.signalledAt, k.hides, s.fileName());
        }
    }

    /**
     * A reading ({@code fences}: with the fence array, else count-only) as a kernel that hides
     * signalled fences' names gives it, when so asked (see above).
     */
    static void emulate(FenceScratch s, boolean fences) {
        if (!EMULATE_HIDDEN) {
            return;
        }
        if (fences) {
            s.renameSignalled(HIDDEN_DRIVER, HIDDEN_TIMELINE);
        } else if (s.fileStatus() != 0) {
            s.renameFile(HIDDEN_FILE);
        }
    }

    /** Forgets the stub (tests). */
    static void forgetStub() {
        stub = null;
    }
}
