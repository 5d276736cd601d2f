package dev.gadget4j.internal;

import dev.gadget4j.DmaBuf.Access;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;

/** A DMABUF's own checks: open, and CPU access begun and ended in pairs of the same direction. */
public final class DmaBufChecks {
    public static final String SYNC = "DMA_BUF_IOCTL_SYNC";

    private DmaBufChecks() {
    }

    /** EBADF once the handle is closed. */
    public static void open(boolean closed, String operation, String object) {
        if (closed) {
            throw new GadgetException(operation, object, Errno.EBADF, "the DMABUF was closed");
        }
    }

    /** SYNC_START: no CPU access may be begun already. */
    public static void begin(Access current, String object) {
        if (current != null) {
            throw new GadgetException(SYNC, object, Errno.EINVAL, "SYNC_START while CPU access (" + current + ") is already begun");
        }
    }

    /** SYNC_END: matches the access begun. */
    public static void end(Access current, Access access, String object) {
        if (current == null) {
            throw new GadgetException(SYNC, object, Errno.EINVAL, "SYNC_END without SYNC_START");
        }
        if (current != access) {
            throw new GadgetException(SYNC, object, Errno.EINVAL, "SYNC_END(" + access + ") does not match SYNC_START(" + current + ")");
        }
    }
}
