package dev.gadget4j.linux;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.DmaBufSource;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.DmaHeap;
import dev.gadget4j.linux.sys.Fd;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * DMABUFs from a DMA heap ({@code /dev/dma_heap/NAME}, {@code DMA_HEAP_IOCTL_ALLOC}).
 *
 * <p>Heaps have no per-buffer limit of their own (the kernel only rounds the length up to whole
 * pages); gadget4j applies udmabuf's rules (a non-zero multiple of the page size, at most
 * udmabuf's default 64 MiB) so that a driver behaves the same whichever source it runs on.
 *
 * <p>CPU-access SYNC follows the user's direction. The system heap's {@code begin_cpu_access} and
 * {@code end_cpu_access} sync every attachment the importer has mapped, with the direction given:
 * FunctionFS maps an IN endpoint's attachment {@code DMA_TO_DEVICE} and an OUT endpoint's
 * {@code DMA_FROM_DEVICE}, and DMA-API debugging reports a sync whose direction differs from the
 * mapping's. So a heap buffer attached to IN endpoints is written in WRITE brackets, one attached
 * to OUT endpoints read in READ brackets; READ_WRITE (or a buffer attached both ways) is reported
 * by DMA-API debugging, though a coherent machine moves the data right anyway.
 */
final class DmaHeapMemory implements DmaBufMemory {
    private final DmaBufSource source;
    private final Path device;

    DmaHeapMemory(DmaBufSource source, Path device) {
        this.source = source;
        this.device = device;
    }

    /** The source it was asked for as (a CMA heap is asked for without its name). */
    DmaBufSource source() {
        return source;
    }

    /** Whether the heap's device node exists. */
    boolean present() {
        return Files.exists(device);
    }

    @Override
    public String operation() {
        return "DMA_HEAP_IOCTL_ALLOC";
    }

    @Override
    public String device() {
        return device.toString();
    }

    @Override
    public Fd create(long size) {
        try (DmaHeap heap = DmaHeap.open(device.toString())) {
            return heap.allocate(size);
        }
    }

    @Override
    public long maxSize() {
        return UdmabufMemory.DEFAULT_LIMIT_MB << 20;
    }

    @Override
    public int syncFlags(DmaBuf.Access access) {
        return switch (access) {
            case READ -> Constants.DMA_BUF_SYNC_READ;
            case WRITE -> Constants.DMA_BUF_SYNC_WRITE;
            case READ_WRITE -> Constants.DMA_BUF_SYNC_RW;
        };
    }

    @Override
    public String toString() {
        return "DMA heap " + device.getFileName();
    }
}
