package dev.gadget4j.linux.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * {@code DMA_BUF_IOCTL_SYNC} brackets around CPU access to a mapped DMABUF. On coherent machines
 * they cost a syscall each; on non-coherent SoCs they are what makes the CPU see the device's data
 * (and the device the CPU's), so every CPU access goes between {@link #start} and {@link #end}
 * with the same direction flags.
 */
public final class DmaBufSync {
    private DmaBufSync() {
    }

    /** Begins CPU access; {@code access} is {@code DMA_BUF_SYNC_READ}, {@code _WRITE} or {@code _RW}. */
    public static void start(Fd dmabuf, int access) {
        sync(dmabuf, Constants.DMA_BUF_SYNC_START | checked(access));
    }

    /** Ends CPU access begun with the same {@code access}. */
    public static void end(Fd dmabuf, int access) {
        sync(dmabuf, Constants.DMA_BUF_SYNC_END | checked(access));
    }

    /** Runs {@code body} between {@link #start} and {@link #end}; the end runs even if the body throws. */
    public static void bracket(Fd dmabuf, int access, Runnable body) {
        start(dmabuf, access);
        try {
            body.run();
        } finally {
            end(dmabuf, access);
        }
    }

    private static int checked(int access) {
        if (access == 0 || (access & ~Constants.DMA_BUF_SYNC_RW) != 0) {
            throw new IllegalArgumentException("DMA_BUF_IOCTL_SYNC access must be READ, WRITE or RW, was " + access);
        }
        return access;
    }

    private static void sync(Fd dmabuf, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment req = arena.allocate(DmaBufAbi.Sync.LAYOUT);
            DmaBufAbi.Sync.FLAGS.set(req, flags);
            dmabuf.ioctl(Ioctl.DMA_BUF_IOCTL_SYNC, req);
        }
    }
}
