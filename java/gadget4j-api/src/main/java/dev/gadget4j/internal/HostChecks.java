package dev.gadget4j.internal;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** The checks a host-side device handle makes before usbfs sees a request. */
public final class HostChecks {
    private HostChecks() {
    }

    /** EBADF once the handle is closed. */
    public static void open(boolean closed, String operation, String path) {
        if (closed) {
            throw new GadgetException(operation, path, Errno.EBADF, "the device handle is closed");
        }
    }

    /** A control transfer's data stage: wLength is 16 bits. */
    public static void control(String path, MemorySegment data) {
        Objects.requireNonNull(data, "data");
        if (data.byteSize() > 0xffff) {
            throw new GadgetException("USBDEVFS_CONTROL", path, Errno.EINVAL, "wLength is at most 65535");
        }
    }

    /** A bulk transfer or URB: writable for IN, at most 2 GiB - 1. */
    public static void bulk(String operation, String path, int endpoint, MemorySegment data) {
        Objects.requireNonNull(data, "data");
        if ((endpoint & 0x80) != 0 && data.isReadOnly()) {
            throw new IllegalArgumentException("an IN transfer needs a writable segment");
        }
        if (data.byteSize() > Integer.MAX_VALUE) {
            throw new GadgetException(operation, path, Errno.EINVAL, "a transfer holds at most 2 GiB - 1");
        }
    }
}
