package dev.gadget4j.sim;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.internal.DmaBufChecks;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A simulated udmabuf: page-aligned memory, a reservation object holding the fences of transfers
 * in flight, and a reference count shared by the user's handle and each attachment, so that the
 * memory outlives the handle while an endpoint still holds it, as a DMABUF does.
 */
final class SimDmaBuf implements DmaBuf {
    private final Bus bus;
    private final int fd;
    private final long size;
    private final Arena arena;
    private final MemorySegment memory;
    /** The reservation: fences of transfers (guarded by the bus lock). */
    private final List<Fence> fences = new ArrayList<>();
    private int refs = 1;
    private boolean closed;
    private Access cpuAccess;

    SimDmaBuf(Bus bus, int fd, long size, long pageSize) {
        this.bus = bus;
        this.fd = fd;
        this.size = size;
        this.arena = Arena.ofShared();
        this.memory = arena.allocate(size, pageSize);
    }

    MemorySegment memory() {
        return memory;
    }

    String object() {
        return "DMABUF fd " + fd;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int fd() {
        return fd;
    }

    @Override
    public MemorySegment segment() {
        bus.lock.lock();
        try {
            checkOpen("mmap");
            return memory;
        } finally {
            bus.lock.unlock();
        }
    }

    void checkOpen(String operation) {
        DmaBufChecks.open(closed, operation, object());
    }

    @Override
    public void beginCpuAccess(Access access) {
        bus.lock.lock();
        try {
            checkOpen("DMA_BUF_IOCTL_SYNC");
            DmaBufChecks.begin(cpuAccess, object());
            // dma_buf_begin_cpu_access waits with no time limit; gadget4j always syncs READ|WRITE
            // (udmabuf fixes its CPU mapping's direction at the first SYNC), so every access
            // waits for every pending transfer of the buffer.
            while (busyFor(true)) {
                bus.await(Long.MAX_VALUE, "DMA_BUF_IOCTL_SYNC", object());
                checkOpen("DMA_BUF_IOCTL_SYNC");
            }
            cpuAccess = access;
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public void endCpuAccess(Access access) {
        bus.lock.lock();
        try {
            checkOpen("DMA_BUF_IOCTL_SYNC");
            DmaBufChecks.end(cpuAccess, access, object());
            cpuAccess = null;
        } finally {
            bus.lock.unlock();
        }
    }

    /** Whether a transfer of the given direction must wait (lock held): OUT waits for everything, IN for writers. */
    boolean busyFor(boolean outTransfer) {
        for (int i = 0, n = fences.size(); i < n; i++) {
            Fence f = fences.get(i);
            if (!f.signaled && (outTransfer || f.write)) {
                return true;
            }
        }
        return false;
    }

    /**
     * dma_resv_add_fence: a fence replaces an older one of the same context (a refilled transfer's
     * fence replaces itself). Lock held; no lambda or removeIf, nothing allocated.
     */
    void addFence(Fence fence) {
        for (int i = fences.size() - 1; i >= 0; i--) {
            Fence f = fences.get(i);
            if (f.signaled || f.context == fence.context) {
                fences.remove(i);
            }
        }
        fences.add(fence);
    }

    @Override
    public boolean poll(Readiness readiness, Duration timeout) {
        bus.lock.lock();
        try {
            checkOpen("poll");
            long deadline = bus.deadline(timeout);
            while (busyFor(readiness == Readiness.WRITABLE)) {
                if (!bus.await(deadline, "poll", object())) {
                    return false;
                }
            }
            return true;
        } finally {
            bus.lock.unlock();
        }
    }

    /** An attachment or an in-flight transfer takes a reference. Lock held. */
    void retain() {
        refs++;
    }

    /** Lock held. */
    void release() {
        if (--refs == 0) {
            arena.close();
        }
    }

    @Override
    public boolean isClosed() {
        bus.lock.lock(); // no lambda: a transfer asks this each time
        try {
            return closed;
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public void close() {
        bus.locked(() -> {
            if (!closed) {
                closed = true;
                release();
            }
        });
    }
}
