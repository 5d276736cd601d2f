package dev.gadget4j.linux;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.Memfd;
import dev.gadget4j.linux.sys.Udmabuf;
import java.util.Objects;

/**
 * DMABUFs from {@code /dev/udmabuf}: a sealed memfd of the size ({@code F_SEAL_SHRINK}, as
 * udmabuf requires), {@code UDMABUF_CREATE} with close-on-exec, the memfd closed again (the
 * DMABUF keeps its pages). At most {@code size_limit_mb} (64 MiB unless the module was loaded
 * with another limit).
 */
final class UdmabufMemory implements DmaBufMemory {
    /** udmabuf's default {@code size_limit_mb}. */
    static final long DEFAULT_LIMIT_MB = 64;

    private final SystemFiles files;

    UdmabufMemory(SystemFiles files) {
        this.files = files;
    }

    @Override
    public String operation() {
        return "UDMABUF_CREATE";
    }

    @Override
    public String device() {
        return files.udmabufDevice().toString();
    }

    @Override
    public Fd create(long size) {
        try (Udmabuf device = Udmabuf.open(); Fd memfd = Memfd.create("gadget4j-dmabuf", size)) {
            return device.create(memfd, 0, size);
        }
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

    /**
     * Always READ|WRITE to the kernel: udmabuf maps its CPU-access table with the direction of the
     * first SYNC and never again, so a later SYNC in another direction trips DMA-API debugging (seen
     * on the debug kernel). The access the user named is still tracked for the bracket checks.
     */
    @Override
    public int syncFlags(DmaBuf.Access access) {
        Objects.requireNonNull(access, "access");
        return Constants.DMA_BUF_SYNC_RW;
    }

    @Override
    public String toString() {
        return "udmabuf";
    }
}
