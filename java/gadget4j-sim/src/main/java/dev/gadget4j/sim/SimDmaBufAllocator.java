package dev.gadget4j.sim;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.DmaBufAllocator;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;

/** Allocates simulated DMABUFs under udmabuf's rules (page-aligned non-zero size, size limit). */
final class SimDmaBufAllocator implements DmaBufAllocator {
    static final long PAGE_SIZE = 4096;
    private final SimBackend backend;
    private final long maxSize;

    SimDmaBufAllocator(SimBackend backend, long maxSize) {
        this.backend = backend;
        this.maxSize = maxSize;
    }

    @Override
    public DmaBuf allocate(long size) {
        String why = null;
        if (size <= 0) {
            why = "size " + size + " is not positive";
        } else if (size % PAGE_SIZE != 0) {
            why = "size " + size + " is not a multiple of the page size " + PAGE_SIZE;
        } else if (size > maxSize) {
            why = "size " + size + " exceeds udmabuf's size_limit_mb (" + (maxSize >> 20) + " MiB)";
        }
        if (why != null) {
            throw new GadgetException("UDMABUF_CREATE", "/dev/udmabuf", Errno.EINVAL, why);
        }
        return backend.newDmaBuf(size, PAGE_SIZE);
    }

    @Override
    public long maxSize() {
        return maxSize;
    }

    @Override
    public long pageSize() {
        return PAGE_SIZE;
    }
}
