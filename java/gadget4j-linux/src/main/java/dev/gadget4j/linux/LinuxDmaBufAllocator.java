package dev.gadget4j.linux;

import dev.gadget4j.DmaBufAllocator;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.Mapping;
import dev.gadget4j.linux.sys.Memfd;
import dev.gadget4j.linux.sys.PageSize;
import dev.gadget4j.linux.sys.Udmabuf;

/**
 * DMABUFs from {@code /dev/udmabuf}: a sealed memfd of the size ({@code F_SEAL_SHRINK}, as
 * udmabuf requires), {@code UDMABUF_CREATE} with close-on-exec, the memfd closed again (the
 * DMABUF keeps its pages), and a shared read-write mapping of the DMABUF.
 *
 * <p>Sizes are checked by the kernel (a size that is 0, not a multiple of the page size or beyond
 * {@code size_limit_mb} gives EINVAL); the exception says which rule was broken.
 */
final class LinuxDmaBufAllocator implements DmaBufAllocator {
    private static final long DEFAULT_LIMIT_MB = 64;

    private final LinuxBackend backend;
    private final SystemFiles files;

    LinuxDmaBufAllocator(LinuxBackend backend, SystemFiles files) {
        this.backend = backend;
        this.files = files;
    }

    LinuxBackend backend() {
        return backend;
    }

    @Override
    public LinuxDmaBuf allocate(long size) {
        backend.checkOpen("UDMABUF_CREATE");
        if (size < 0) {
            throw new GadgetException("UDMABUF_CREATE", files.udmabufDevice().toString(), Errno.EINVAL,
                    "size " + size + " is negative");
        }
        Fd dmabuf;
        try (Udmabuf device = Udmabuf.open(); Fd memfd = Memfd.create("gadget4j-dmabuf", size)) {
            dmabuf = device.create(memfd, 0, size);
        } catch (GadgetException e) {
            throw explained(e, size);
        }
        Mapping mapping;
        try {
            mapping = Mapping.map(dmabuf, size);
        } catch (RuntimeException e) {
            dmabuf.close();
            throw e;
        }
        return backend.register(new LinuxDmaBuf(this, dmabuf, mapping, size));
    }

    private GadgetException explained(GadgetException e, long size) {
        if (!e.operation().equals("UDMABUF_CREATE") || e.errno() != Errno.EINVAL) {
            return e;
        }
        String why;
        if (size == 0) {
            why = "size 0: a DMABUF needs at least one page";
        } else if (size % pageSize() != 0) {
            why = "size " + size + " is not a multiple of the page size " + pageSize();
        } else if (size > maxSize()) {
            why = "size " + size + " exceeds udmabuf's size_limit_mb (" + (maxSize() >> 20) + " MiB)";
        } else {
            why = "udmabuf refused size " + size;
        }
        return new GadgetException("UDMABUF_CREATE", e.object(), Errno.EINVAL, why, e);
    }

    @Override
    public long maxSize() {
        String mb = files.readOrNull(files.udmabufSizeLimit());
        try {
            return (mb == null ? DEFAULT_LIMIT_MB : Long.parseLong(mb)) << 20;
        } catch (NumberFormatException e) {
            return DEFAULT_LIMIT_MB << 20;
        }
    }

    @Override
    public long pageSize() {
        return PageSize.get();
    }
}
