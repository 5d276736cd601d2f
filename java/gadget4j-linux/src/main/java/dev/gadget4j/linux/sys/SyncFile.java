package dev.gadget4j.linux.sys;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * sync_files: snapshots of a DMABUF's pending fences, used to learn when (and how) a FunctionFS
 * DMABUF transfer completed.
 *
 * <p>An export holds only fences that were still unsignaled at that moment; with none, the kernel
 * hands out an already signaled stub that reads as success. A transfer that failed before the
 * export is therefore invisible through it: export right after queueing. Exporting with
 * {@code DMA_BUF_SYNC_READ} alone returns just the write fences (those of OUT transfers) — use
 * {@code DMA_BUF_SYNC_WRITE} or {@code _RW} to see IN transfers too. Close sync_files before the
 * endpoint file or DETACH: 6.12's FunctionFS frees the fence lock with the attachment.
 */
public final class SyncFile {
    private SyncFile() {
    }

    /** One fence of a sync_file. {@code status}: 1 signaled, 0 active, negative: {@code -errno}. */
    public record FenceInfo(String objName, String driverName, int status, int flags, long timestampNs) {
    }

    /** SYNC_IOC_FILE_INFO's answer. {@code status}: 1 signaled, 0 active, negative: {@code -errno}. */
    public record Info(String name, int status, List<FenceInfo> fences) {
        /** Whether every fence has signaled (with or without an error). */
        public boolean signaled() {
            return status != 0;
        }

        /** The error a fence signaled with, if any. */
        public Optional<Errno> error() {
            return status < 0 ? Optional.of(Libc.errnoOf(-status)) : Optional.empty();
        }
    }

    /** DMA_BUF_IOCTL_EXPORT_SYNC_FILE: the fences pending on {@code dmabuf} now, as a new owned sync_file. */
    public static Fd export(Fd dmabuf, int access) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment req = arena.allocate(DmaBufAbi.ExportSyncFile.LAYOUT);
            DmaBufAbi.ExportSyncFile.FLAGS.set(req, access);
            DmaBufAbi.ExportSyncFile.FD.set(req, -1);
            dmabuf.ioctl(Ioctl.DMA_BUF_IOCTL_EXPORT_SYNC_FILE, req);
            return Fd.adopt((int) DmaBufAbi.ExportSyncFile.FD.get(req), "sync_file(" + dmabuf.name() + ")");
        }
    }

    /** DMA_BUF_IOCTL_IMPORT_SYNC_FILE: adds the sync_file's fence to {@code dmabuf}'s reservation. */
    public static void importInto(Fd dmabuf, Fd syncFile, int access) {
        syncFile.acquire("DMA_BUF_IOCTL_IMPORT_SYNC_FILE");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment req = arena.allocate(DmaBufAbi.ImportSyncFile.LAYOUT);
            DmaBufAbi.ImportSyncFile.FLAGS.set(req, access);
            DmaBufAbi.ImportSyncFile.FD.set(req, syncFile.number());
            dmabuf.ioctl(Ioctl.DMA_BUF_IOCTL_IMPORT_SYNC_FILE, req);
        } finally {
            syncFile.release();
        }
    }

    /** Fence slots of the first SYNC_IOC_FILE_INFO call: an export from one buffer rarely holds more. */
    private static final int FIRST_ROOM = 4;

    /**
     * SYNC_IOC_FILE_INFO: one call with room for a few fences (the usual case, one syscall per
     * completion), and only when the kernel says there are more (EINVAL), a count and a second call.
     * A sync_file's fence set never changes, so the two calls agree.
     */
    public static Info info(Fd syncFile) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment req = arena.allocate(DmaBufAbi.SyncFileInfo.LAYOUT);
            MemorySegment array = arena.allocate(DmaBufAbi.SyncFenceInfo.LAYOUT, FIRST_ROOM);
            DmaBufAbi.SyncFileInfo.NUM_FENCES.set(req, FIRST_ROOM);
            DmaBufAbi.SyncFileInfo.SYNC_FENCE_INFO.set(req, array.address());
            try {
                syncFile.ioctl(Ioctl.SYNC_IOC_FILE_INFO, req);
            } catch (GadgetException e) {
                if (e.errno() != Errno.EINVAL) {
                    throw e;
                }
                req.fill((byte) 0);
                syncFile.ioctl(Ioctl.SYNC_IOC_FILE_INFO, req);
                int count = (int) DmaBufAbi.SyncFileInfo.NUM_FENCES.get(req);
                array = arena.allocate(DmaBufAbi.SyncFenceInfo.LAYOUT, Math.max(1, count));
                req.fill((byte) 0);
                DmaBufAbi.SyncFileInfo.NUM_FENCES.set(req, count);
                DmaBufAbi.SyncFileInfo.SYNC_FENCE_INFO.set(req, array.address());
                syncFile.ioctl(Ioctl.SYNC_IOC_FILE_INFO, req);
            }
            int count = (int) DmaBufAbi.SyncFileInfo.NUM_FENCES.get(req);
            long stride = DmaBufAbi.SyncFenceInfo.LAYOUT.byteSize();
            List<FenceInfo> fences = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                MemorySegment f = array.asSlice(i * stride, stride);
                fences.add(new FenceInfo(
                        CLayouts.string(f, DmaBufAbi.SyncFenceInfo.OBJ_NAME_OFFSET, 32),
                        CLayouts.string(f, DmaBufAbi.SyncFenceInfo.DRIVER_NAME_OFFSET, 32),
                        (int) DmaBufAbi.SyncFenceInfo.STATUS.get(f),
                        (int) DmaBufAbi.SyncFenceInfo.FLAGS.get(f),
                        (long) DmaBufAbi.SyncFenceInfo.TIMESTAMP_NS.get(f)));
            }
            return new Info(CLayouts.string(req, DmaBufAbi.SyncFileInfo.NAME_OFFSET, 32),
                    (int) DmaBufAbi.SyncFileInfo.STATUS.get(req), List.copyOf(fences));
        }
    }

}
