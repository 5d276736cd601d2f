package dev.gadget4j.linux;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.DmaBufSync;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.Mapping;
import dev.gadget4j.linux.sys.Poll;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.Objects;

/**
 * A udmabuf DMABUF and its shared mapping. CPU access brackets are tracked by the library, so
 * misuse (end without start, start twice, mismatched access) fails with EINVAL as in the
 * simulator, whatever the exporter would have done. Closing unmaps (the segment then refuses
 * access) and closes the fd; endpoints that still have it attached keep the kernel object alive.
 */
final class LinuxDmaBuf implements DmaBuf {
    private final LinuxDmaBufAllocator allocator;
    private final Fd fd;
    private final int number;
    private final Mapping mapping;
    private final long size;
    private final DmaBufFences fences = new DmaBufFences();
    private Access cpuAccess;
    private volatile boolean closed;

    LinuxDmaBuf(LinuxDmaBufAllocator allocator, Fd fd, Mapping mapping, long size) {
        this.allocator = allocator;
        this.fd = fd;
        this.number = fd.number();
        this.mapping = mapping;
        this.size = size;
    }

    LinuxDmaBufAllocator allocator() {
        return allocator;
    }

    Fd fdHandle() {
        return fd;
    }

    private String object() {
        return "DMABUF fd " + number;
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
        if (closed) {
            throw new GadgetException(operation, object(), Errno.EBADF, "the DMABUF was closed");
        }
    }

    @Override
    public MemorySegment segment() {
        checkOpen("mmap");
        return mapping.segment();
    }

    /**
     * Always READ|WRITE to the kernel: udmabuf maps its CPU-access table with the direction of the
     * first SYNC and never again, so a later SYNC in another direction trips DMA-API debugging (seen
     * on the debug kernel). The access the user named is still tracked for the bracket checks.
     */
    private static int flags(Access access) {
        return switch (Objects.requireNonNull(access, "access")) {
            case READ, WRITE, READ_WRITE -> Constants.DMA_BUF_SYNC_RW;
        };
    }

    @Override
    public synchronized void beginCpuAccess(Access access) {
        checkOpen("DMA_BUF_IOCTL_SYNC");
        if (cpuAccess != null) {
            throw new GadgetException("DMA_BUF_IOCTL_SYNC", object(), Errno.EINVAL,
                    "SYNC_START while CPU access (" + cpuAccess + ") is already begun");
        }
        // SYNC START waits for the buffer's fences and then takes their lock, which 6.12 frees
        // with the attachment: wait for the tracked transfers through their sync_files first
        // (a DETACH or close may end those waits), then hold off DETACH and endpoint closes of
        // this buffer while the ioctl runs. A transfer queued by another thread in between
        // still makes SYNC START wait under that hold; only kernel patch 0003 (the fence lock
        // outside the attachment) removes the window completely.
        fences.awaitIdle(null, false, null);
        fences.enterExport();
        try {
            DmaBufSync.start(fd, flags(access));
        } finally {
            fences.exitExport();
        }
        cpuAccess = access;
    }

    @Override
    public synchronized void endCpuAccess(Access access) {
        checkOpen("DMA_BUF_IOCTL_SYNC");
        if (cpuAccess == null) {
            throw new GadgetException("DMA_BUF_IOCTL_SYNC", object(), Errno.EINVAL, "SYNC_END without SYNC_START");
        }
        if (cpuAccess != access) {
            throw new GadgetException("DMA_BUF_IOCTL_SYNC", object(), Errno.EINVAL,
                    "SYNC_END(" + access + ") does not match SYNC_START(" + cpuAccess + ")");
        }
        DmaBufSync.end(fd, flags(access));
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

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            mapping.close();
        } finally {
            fd.close();
            allocator.backend().forget(this);
        }
    }

    @Override
    public String toString() {
        return object() + " (" + size + " bytes" + (closed ? ", closed)" : ")");
    }
}
