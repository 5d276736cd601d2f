package dev.gadget4j.linux.sys;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

/**
 * {@code DMA_BUF_IOCTL_SYNC} brackets around CPU access to a mapped DMABUF. On coherent machines
 * they cost a syscall each; on non-coherent SoCs they are what makes the CPU see the device's data
 * (and the device the CPU's), so every CPU access goes between {@link #start} and {@link #end}
 * with the same direction flags.
 *
 * <p>One per DMABUF: its {@code struct dma_buf_sync} is allocated once from the owner's allocator,
 * so a bracket allocates nothing. Not thread-safe: the owner serialises its brackets.
 */
public final class DmaBufSync {
    private final Fd dmabuf;
    private final MemorySegment request;

    /** A bracket for {@code dmabuf} whose request struct comes from {@code owner}. */
    public DmaBufSync(Fd dmabuf, SegmentAllocator owner) {
        this.dmabuf = dmabuf;
        this.request = owner.allocate(DmaBufAbi.Sync.LAYOUT);
    }

    /** Begins CPU access; {@code access} is {@code DMA_BUF_SYNC_READ}, {@code _WRITE} or {@code _RW}. */
    public void start(int access) {
        sync(Constants.DMA_BUF_SYNC_START | checked(access));
    }

    /** Ends CPU access begun with the same {@code access}. */
    public void end(int access) {
        sync(Constants.DMA_BUF_SYNC_END | checked(access));
    }

    private static int checked(int access) {
        if (access == 0 || (access & ~Constants.DMA_BUF_SYNC_RW) != 0) {
            throw new IllegalArgumentException("DMA_BUF_IOCTL_SYNC access must be READ, WRITE or RW, was " + access);
        }
        return access;
    }

    private void sync(long flags) {
        DmaBufAbi.Sync.flags(request, flags);
        dmabuf.ioctl(Ioctl.DMA_BUF_IOCTL_SYNC, request);
    }
}
