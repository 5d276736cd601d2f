package dev.gadget4j.linux;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.internal.DmaBufChecks;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.DmaBufSync;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.Mapping;
import dev.gadget4j.linux.sys.Poll;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;

/**
 * A DMABUF (from udmabuf or a DMA heap) and its shared mapping. CPU access brackets are tracked by
 * the library, so misuse (end without start, start twice, mismatched access) fails with EINVAL as
 * in the simulator, whatever the exporter would have done; the SYNC ioctls use one request struct
 * that lives in the mapping's arena, so a bracket allocates nothing. Closing unmaps (the segment
 * then refuses access) and closes the fd; endpoints that still have it attached keep the kernel
 * object alive. A close that cannot unmap because another thread's native call holds the segment
 * fails with EBUSY before it changes anything.
 */
final class LinuxDmaBuf implements DmaBuf {
    private final LinuxDmaBufAllocator allocator;
    private final DmaBufMemory memory;
    private final Fd fd;
    private final int number;
    private final String object;
    private final Mapping mapping;
    private final DmaBufSync sync;
    private final long size;
    private final DmaBufFences fences;
    private Access cpuAccess;
    private volatile boolean closed;

    LinuxDmaBuf(LinuxDmaBufAllocator allocator, DmaBufMemory memory, Fd fd, Mapping mapping, long size,
                boolean single) {
        this.allocator = allocator;
        this.memory = memory;
        this.fd = fd;
        this.number = fd.number();
        this.object = "DMABUF fd " + number;
        this.mapping = mapping;
        this.sync = new DmaBufSync(fd, mapping.structs());
        this.size = size;
        this.fences = new DmaBufFences(single);
    }

    LinuxDmaBufAllocator allocator() {
        return allocator;
    }

    Fd fdHandle() {
        return fd;
    }

    /** Built once: every check names the buffer, and a CPU-access bracket must allocate nothing. */
    private String object() {
        return object;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public int fd() {
        return number;
    }

    private void checkOpen(String operation) {
        DmaBufChecks.open(closed, operation, object());
    }

    @Override
    public MemorySegment segment() {
        checkOpen("mmap");
        return mapping.segment();
    }

    @Override
    public synchronized void beginCpuAccess(Access access) {
        checkOpen("DMA_BUF_IOCTL_SYNC");
        DmaBufChecks.begin(cpuAccess, object());
        // SYNC START waits for the buffer's fences and then takes their lock, which 6.12 frees
        // with the attachment: wait for the tracked transfers through their sync_files first
        // (a DETACH or close may end those waits), then hold off DETACH and endpoint closes of
        // this buffer while the ioctl runs. A transfer queued by another thread in between
        // still makes SYNC START wait under that hold; only kernel patch 0003 (the fence lock
        // outside the attachment) removes the window completely.
        fences.awaitIdle(null, false, null, null);
        fences.enterExport();
        try {
            sync.start(memory.syncFlags(access));
        } finally {
            fences.exitExport();
        }
        cpuAccess = access;
    }

    @Override
    public synchronized void endCpuAccess(Access access) {
        checkOpen("DMA_BUF_IOCTL_SYNC");
        DmaBufChecks.end(cpuAccess, access, object());
        sync.end(memory.syncFlags(access));
        cpuAccess = null;
    }

    @Override
    public boolean poll(Readiness readiness, Duration timeout) {
        checkOpen("poll");
        int want = readiness == Readiness.READABLE ? Constants.POLLIN : Constants.POLLOUT;
        return (Poll.poll(fd, want, timeout) & want) != 0;
    }

    /** Its transfers in flight and the exclusion of exports and attachment drops. */
    DmaBufFences fences() {
        return fences;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Unmaps first: when another thread's native call holds the segment, that fails with EBUSY
     * and nothing has changed yet (fd open, mapping whole, not closed), so the caller can close
     * again later.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            try {
                mapping.close();
            } catch (GadgetException e) {
                throw new GadgetException(e.operation(), object(), e.errno(),
                        "another thread's native call is using the segment; close again once it returns", e);
            }
            closed = true;
        }
        try {
            fd.close();
        } finally {
            allocator.backend().forget(this);
        }
    }

    @Override
    public String toString() {
        return object() + " (" + size + " bytes" + (closed ? ", closed)" : ")");
    }
}
