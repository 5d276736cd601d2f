package dev.gadget4j.linux.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One thread's native argument structs for the DMABUF transfer path (and {@link Poll}'s pollfd),
 * allocated once per thread and reused by every call: the capture-state buffer, a {@code usb_ffs_dmabuf_transfer_req}, a
 * {@code dma_buf_export_sync_file}, a {@code sync_file_info} with room for {@link #FENCES}
 * {@code sync_fence_info}s, and two {@code pollfd}s. Per thread rather than per endpoint because
 * several threads may queue on and wait for one endpoint at once; a thread uses its scratch for
 * one call at a time and reads the results before its next call.
 *
 * <p>The accessors are typed and take precomputed offsets, so the use sites never cast a VarHandle.
 */
public final class FenceScratch {
    /** Fence slots for SYNC_IOC_FILE_INFO: an export from one buffer rarely holds more than one. */
    public static final int FENCES = 8;

    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final long ERRNO = CAPTURE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));

    private static final long REQ_FD = CLayouts.offset(FunctionFsAbi.DmabufTransferReq.LAYOUT, "fd");
    private static final long REQ_FLAGS = CLayouts.offset(FunctionFsAbi.DmabufTransferReq.LAYOUT, "flags");
    private static final long REQ_LENGTH = CLayouts.offset(FunctionFsAbi.DmabufTransferReq.LAYOUT, "length");

    private static final long EXPORT_FLAGS = CLayouts.offset(DmaBufAbi.ExportSyncFile.LAYOUT, "flags");
    private static final long EXPORT_FD = CLayouts.offset(DmaBufAbi.ExportSyncFile.LAYOUT, "fd");

    private static final long INFO_NAME = DmaBufAbi.SyncFileInfo.NAME_OFFSET;
    private static final long INFO_STATUS = CLayouts.offset(DmaBufAbi.SyncFileInfo.LAYOUT, "status");
    private static final long INFO_NUM_FENCES = CLayouts.offset(DmaBufAbi.SyncFileInfo.LAYOUT, "num_fences");
    private static final long INFO_FENCE_ARRAY = CLayouts.offset(DmaBufAbi.SyncFileInfo.LAYOUT, "sync_fence_info");
    private static final long FENCE_SIZE = DmaBufAbi.SyncFenceInfo.LAYOUT.byteSize();
    private static final long FENCE_DRIVER = DmaBufAbi.SyncFenceInfo.DRIVER_NAME_OFFSET;
    private static final long FENCE_TIMELINE = DmaBufAbi.SyncFenceInfo.OBJ_NAME_OFFSET;
    private static final long FENCE_STATUS = CLayouts.offset(DmaBufAbi.SyncFenceInfo.LAYOUT, "status");
    private static final long FENCE_TIMESTAMP = CLayouts.offset(DmaBufAbi.SyncFenceInfo.LAYOUT, "timestamp_ns");
    private static final long NAME_MAX = 32; // obj_name and driver_name alike

    private static final long POLLFD_SIZE = IoAbi.PollFd.LAYOUT.byteSize();
    private static final long POLLFD_FD = CLayouts.offset(IoAbi.PollFd.LAYOUT, "fd");
    private static final long POLLFD_EVENTS = CLayouts.offset(IoAbi.PollFd.LAYOUT, "events");
    private static final long POLLFD_REVENTS = CLayouts.offset(IoAbi.PollFd.LAYOUT, "revents");
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    static {
        // pollFd writes the struct as one word, laid out as Linux lays it out on every architecture;
        // the transfer and export requests' two leading 32-bit fields are one word each, too
        if (POLLFD_SIZE != 8 || POLLFD_FD != 0 || POLLFD_EVENTS != 4 || POLLFD_REVENTS != 6) {
            throw new ExceptionInInitializerError("struct pollfd is not {int fd; short events; short revents;}");
        }
        if (REQ_FD != 0 || REQ_FLAGS != 4 || REQ_LENGTH != 8 || EXPORT_FLAGS != 0 || EXPORT_FD != 4) {
            throw new ExceptionInInitializerError("usb_ffs_dmabuf_transfer_req or dma_buf_export_sync_file is not as the uapi lays it out");
        }
    }

    /** Two 32-bit fields, {@code first} at the lower address, as one 64-bit word in native order. */
    private static long pair(int first, int second) {
        return LITTLE_ENDIAN ? (first & 0xffff_ffffL) | (long) second << 32 : (long) first << 32 | (second & 0xffff_ffffL);
    }

    private static final ThreadLocal<FenceScratch> CURRENT = ThreadLocal.withInitial(FenceScratch::new);

    private final MemorySegment state;
    private final MemorySegment transferReq;
    private final MemorySegment exportReq;
    private final MemorySegment info;
    private final MemorySegment fences;
    private final MemorySegment pollFds;
    /** The kernel id of the thread that made it; a virtual thread's changes: see {@link #tid()}. */
    private final int tid;
    /** Its {@code pthread_t}, for the same per-transfer registration; see {@link #pthread()}. */
    private final long pthread;

    private FenceScratch() {
        Arena arena = Arena.ofAuto();
        state = arena.allocate(CAPTURE);
        transferReq = arena.allocate(FunctionFsAbi.DmabufTransferReq.LAYOUT);
        exportReq = arena.allocate(DmaBufAbi.ExportSyncFile.LAYOUT);
        info = arena.allocate(DmaBufAbi.SyncFileInfo.LAYOUT);
        fences = arena.allocate(DmaBufAbi.SyncFenceInfo.LAYOUT, FENCES);
        pollFds = arena.allocate(IoAbi.PollFd.LAYOUT, 2);
        tid = KernelThreads.gettid();
        pthread = WakeSignal.self();
    }

    /** This thread's scratch. */
    public static FenceScratch current() {
        return CURRENT.get();
    }

    /**
     * The kernel's id of the calling thread, which owns this scratch. A virtual thread runs on
     * whichever carrier is free after each park, so its id is looked up at each call (the caller
     * must not park between this call and the system call it names: an unbind's drain reads
     * that thread's {@code /proc} entry to see whether it sleeps in the ioctl).
     */
    public int tid() {
        return Thread.currentThread().isVirtual() ? KernelThreads.gettid() : tid;
    }

    /**
     * The calling thread's {@code pthread_t} ({@link WakeSignal#self}), which owns this scratch;
     * a virtual thread's carrier is looked up at each call, as for {@link #tid()}.
     */
    public long pthread() {
        return Thread.currentThread().isVirtual() ? WakeSignal.self() : pthread;
    }

    MemorySegment state() {
        return state;
    }

    static int errno(MemorySegment state) {
        return state.get(ValueLayout.JAVA_INT, ERRNO);
    }

    // ---- usb_ffs_dmabuf_transfer_req ----

    MemorySegment transferReq() {
        return transferReq;
    }

    /** Fills the transfer request: the DMABUF's fd, no flags, the length. */
    public void transferRequest(int dmabufFd, long length) {
        transferReq.set(ValueLayout.JAVA_LONG_UNALIGNED, REQ_FD, pair(dmabufFd, 0)); // fd, no flags
        transferReq.set(ValueLayout.JAVA_LONG_UNALIGNED, REQ_LENGTH, length);
    }

    // ---- dma_buf_export_sync_file ----

    MemorySegment exportReq() {
        return exportReq;
    }

    void exportRequest(int access) {
        exportReq.set(ValueLayout.JAVA_LONG_UNALIGNED, EXPORT_FLAGS, pair(access, -1)); // flags, fd -1
    }

    int exportedFd() {
        return exportReq.get(ValueLayout.JAVA_INT, EXPORT_FD);
    }

    // ---- sync_file_info and its sync_fence_info array ----

    MemorySegment info() {
        return info;
    }

    void infoRequest() {
        info.fill((byte) 0);
        info.set(ValueLayout.JAVA_INT, INFO_NUM_FENCES, FENCES);
        info.set(ValueLayout.JAVA_LONG, INFO_FENCE_ARRAY, fences.address());
    }

    /**
     * Asks for the file's status, name and fence count alone ({@code num_fences} 0): the kernel
     * then neither allocates nor copies the fence array. The fields the kernel reads are set (it
     * refuses nonzero {@code flags} or {@code pad}); it writes the name, NUL-terminated, and the
     * status and count, so the rest is left as it was.
     */
    void statusRequest() {
        // status and flags, num_fences and pad: two words of zeros
        info.set(ValueLayout.JAVA_LONG_UNALIGNED, INFO_STATUS, 0L);
        info.set(ValueLayout.JAVA_LONG_UNALIGNED, INFO_NUM_FENCES, 0L);
    }

    /**
     * Whether the file's name (which the kernel fills in from its fence when it holds one:
     * {@code <driver>-<timeline><context>-<seqno>}) begins with {@code prefix}.
     */
    public boolean fileNameStartsWith(NamePrefix prefix) {
        return prefix.begins(info, INFO_NAME);
    }

    /** Whether the file's name is {@code name} (ASCII), compared in place. */
    public boolean fileNameIs(byte[] name) {
        return nameIs(info, INFO_NAME, name);
    }

    /** The file's name (for a rare path: it allocates). */
    byte[] fileName() {
        return name(info, INFO_NAME);
    }

    /** Replaces the file's name with {@code name}, cut to fit (see {@link #renameSignalled}). */
    void renameFile(byte[] name) {
        putName(info, INFO_NAME, name);
    }

    /** The sync_file's status: 1 signalled, 0 active, negative: -errno. */
    public int fileStatus() {
        return info.get(ValueLayout.JAVA_INT, INFO_STATUS);
    }

    /** How many fences the last SYNC_IOC_FILE_INFO reported (the count alone after {@link #statusRequest}). */
    public int fenceCount() {
        return info.get(ValueLayout.JAVA_INT, INFO_NUM_FENCES);
    }

    /** Fence {@code i}'s status: 1 signalled, 0 active, negative: -errno. */
    public int fenceStatus(int i) {
        return fences.get(ValueLayout.JAVA_INT, i * FENCE_SIZE + FENCE_STATUS);
    }

    /**
     * When fence {@code i} signalled, in CLOCK_MONOTONIC nanoseconds (the clock of
     * {@link System#nanoTime()} on Linux); meaningful once its status is not 0.
     */
    public long fenceTimestamp(int i) {
        return fences.get(ValueLayout.JAVA_LONG_UNALIGNED, i * FENCE_SIZE + FENCE_TIMESTAMP);
    }

    /** Whether fence {@code i}'s driver name is {@code driver} (ASCII), compared in place. */
    public boolean fenceDriverIs(int i, byte[] driver) {
        return nameIs(fences, i * FENCE_SIZE + FENCE_DRIVER, driver);
    }

    /** Whether fence {@code i}'s timeline name ({@code obj_name}) is {@code timeline} (ASCII). */
    public boolean fenceTimelineIs(int i, byte[] timeline) {
        return nameIs(fences, i * FENCE_SIZE + FENCE_TIMELINE, timeline);
    }

    /** Fence {@code i}'s driver name (for a rare path: it allocates). */
    public byte[] fenceDriver(int i) {
        return name(fences, i * FENCE_SIZE + FENCE_DRIVER);
    }

    /** Fence {@code i}'s timeline name (for a rare path: it allocates). */
    public byte[] fenceTimeline(int i) {
        return name(fences, i * FENCE_SIZE + FENCE_TIMELINE);
    }

    /**
     * Replaces the names of every signalled fence of the last reading with {@code driver} and
     * {@code timeline}, as kernels that no longer ask a signalled fence's driver for them do
     * (see {@link FenceNames}).
     */
    void renameSignalled(byte[] driver, byte[] timeline) {
        for (int i = 0, n = Math.min(fenceCount(), FENCES); i < n; i++) {
            if (fenceStatus(i) != 0) {
                putName(fences, i * FENCE_SIZE + FENCE_DRIVER, driver);
                putName(fences, i * FENCE_SIZE + FENCE_TIMELINE, timeline);
            }
        }
    }

    /** Whether the name field at {@code base} of {@code seg} is {@code name}, compared in place. */
    private static boolean nameIs(MemorySegment seg, long base, byte[] name) {
        return startsWith(seg, base, name) && seg.get(ValueLayout.JAVA_BYTE, base + name.length) == 0;
    }

    /** Whether the name field at {@code base} of {@code seg} begins with {@code prefix}, compared in place. */
    private static boolean startsWith(MemorySegment seg, long base, byte[] prefix) {
        if (prefix.length >= NAME_MAX) {
            return false;
        }
        for (int k = 0; k < prefix.length; k++) {
            if (seg.get(ValueLayout.JAVA_BYTE, base + k) != prefix[k]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] name(MemorySegment seg, long base) {
        int n = 0;
        while (n < NAME_MAX - 1 && seg.get(ValueLayout.JAVA_BYTE, base + n) != 0) {
            n++;
        }
        return seg.asSlice(base, n).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Writes {@code name} into the name field at {@code base} of {@code seg}, cut to fit and NUL-terminated. */
    private static void putName(MemorySegment seg, long base, byte[] name) {
        seg.asSlice(base, NAME_MAX).fill((byte) 0);
        MemorySegment.copy(name, 0, seg, ValueLayout.JAVA_BYTE, base, Math.min(name.length, (int) NAME_MAX - 1));
    }

    /** {@code name} as the bytes {@link #fenceDriverIs} compares. */
    public static byte[] driverName(String name) {
        return name.getBytes(StandardCharsets.US_ASCII);
    }

    /** The {@code sync_fence_info} array that {@link #infoRequest} points the kernel at. */
    MemorySegment fences() {
        return fences;
    }

    // ---- pollfd[2] ----

    MemorySegment pollFds() {
        return pollFds;
    }

    /** Sets pollfd {@code i}. */
    public void pollFd(int i, int fd, int events) {
        // fd, events and revents (0) in one store of the whole 8-byte struct
        pollFds.set(ValueLayout.JAVA_LONG_UNALIGNED, i * POLLFD_SIZE, LITTLE_ENDIAN
                ? (fd & 0xffff_ffffL) | (long) (events & 0xffff) << 32
                : (long) fd << 32 | (long) (events & 0xffff) << 16);
    }

    /** The events poll() returned for pollfd {@code i}. */
    public int revents(int i) {
        return Short.toUnsignedInt(pollFds.get(ValueLayout.JAVA_SHORT, i * POLLFD_SIZE + POLLFD_REVENTS));
    }
}
