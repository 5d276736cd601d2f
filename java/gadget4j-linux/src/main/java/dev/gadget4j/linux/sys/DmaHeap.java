package dev.gadget4j.linux.sys;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * A DMA heap device ({@code /dev/dma_heap/NAME}): {@code DMA_HEAP_IOCTL_ALLOC} returns a new
 * DMABUF of the heap's memory. The kernel rounds the length up to whole pages and refuses only 0;
 * there are no heap flags yet.
 */
public final class DmaHeap implements AutoCloseable {
    /** The directory the heaps' device nodes are in. */
    public static final String DIRECTORY = "/dev/dma_heap";

    private final Fd device;

    private DmaHeap(Fd device) {
        this.device = device;
    }

    /** Opens the heap device at {@code path} read-only (allocation needs no more). */
    public static DmaHeap open(String path) {
        return new DmaHeap(Fd.open(path, Constants.O_RDONLY));
    }

    /** DMA_HEAP_IOCTL_ALLOC of {@code length} bytes: a read-write, close-on-exec DMABUF. */
    public Fd allocate(long length) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment req = arena.allocate(DmaBufAbi.HeapAllocationData.LAYOUT);
            DmaBufAbi.HeapAllocationData.len(req, length);
            DmaBufAbi.HeapAllocationData.fdFlags(req, Constants.O_RDWR | Constants.O_CLOEXEC);
            DmaBufAbi.HeapAllocationData.heapFlags(req, 0);
            device.ioctl(Ioctl.DMA_HEAP_IOCTL_ALLOC, req);
            return Fd.adopt(DmaBufAbi.HeapAllocationData.fd(req), "dmabuf(" + device.name() + ")");
        }
    }

    /** Closes the device; DMABUFs allocated from it stay valid. Idempotent. */
    @Override
    public void close() {
        device.close();
    }
}
