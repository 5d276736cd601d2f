package dev.gadget4j.internal;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;

/**
 * What an endpoint's failures say, per errno: the simulator raises them, the Linux backend
 * explains the kernel's errno with the same words.
 */
public final class EndpointErrors {
    public static final String ATTACH = "FUNCTIONFS_DMABUF_ATTACH";
    public static final String DETACH = "FUNCTIONFS_DMABUF_DETACH";
    public static final String TRANSFER = "FUNCTIONFS_DMABUF_TRANSFER";

    private EndpointErrors() {
    }

    /** EAGAIN from a non-blocking file before ENABLE. */
    public static final String NOT_ENABLED = "the endpoint is not enabled (non-blocking)";
    /** ENODEV: the FunctionFS instance is not active (ep0 closed). */
    private static final String INACTIVE = "the FunctionFS instance is not active";
    /** ESHUTDOWN: the endpoint was disabled while the call slept. */
    public static final String DISABLED_MEANWHILE = "the endpoint was disabled meanwhile";

    /**
     * EBADF for a call that was waiting (for ENABLE, the host, a reservation) when its file was
     * closed: closing wakes it instead of leaving it asleep past the close.
     */
    public static GadgetException closedWhileWaiting(String operation, String path) {
        return new GadgetException(operation, path, Errno.EBADF, "the file was closed while this call was waiting");
    }

    /** TRANSFER or DETACH on a function that was unbound: never issued (6.12 dereferences a NULL gadget there). */
    public static GadgetException unbound(String operation, String path) {
        return new GadgetException(operation, path, Errno.ENODEV,
                "the function is unbound from its UDC; gadget4j does not issue this ioctl then (Linux 6.12 "
                        + "dereferences a NULL gadget there); close the endpoint to drop its DMABUFs");
    }

    /** ATTACH's EPERM. */
    public static GadgetException attachRefused(String path, boolean bound, Throwable cause) {
        return new GadgetException(ATTACH, path, Errno.EPERM, bound ? "the UDC does not support scatter-gather"
                : "the function is not bound to a UDC yet (attach after bind)", cause);
    }

    /** ATTACH's failure for {@code errno}; {@code bound}: whether the function is bound to a UDC. */
    public static GadgetException attach(Errno errno, String path, int fd, boolean bound, Throwable cause) {
        if (errno == Errno.EPERM) {
            return attachRefused(path, bound, cause);
        }
        String why = switch (errno) {
            case ENOTTY -> unsupported(ATTACH);
            case EBUSY -> "the DMABUF's reservation is locked (non-blocking)";
            case ENODEV -> INACTIVE;
            default -> "DMABUF fd " + fd;
        };
        return new GadgetException(ATTACH, path, errno, why, cause);
    }

    /** DETACH's failure for {@code errno}: EPERM explained, any other with no fixed cause. */
    public static GadgetException detach(Errno errno, String path, int fd, Throwable cause) {
        return errno == Errno.EPERM ? notAttached(DETACH, path, fd, cause) : new GadgetException(DETACH, path, errno, null, cause);
    }

    private static String unsupported(String operation) {
        return operation + " is not supported by this kernel (Linux < 6.9)";
    }

    /** DETACH's or TRANSFER's EPERM. */
    public static GadgetException notAttached(String operation, String path, int fd, Throwable cause) {
        return new GadgetException(operation, path, Errno.EPERM, "DMABUF fd " + fd + " is not attached to this endpoint", cause);
    }

    /**
     * TRANSFER's failure for {@code errno}, in the order ffs_dmabuf_transfer checks: length,
     * attachment, enabled, the reservation; {@code null} detail for an errno with no fixed cause.
     */
    public static GadgetException transfer(Errno errno, String path, int fd, long length, long size, boolean in,
                                           boolean nonBlocking, Throwable cause) {
        String why = switch (errno) {
            case EINVAL -> "length " + length + " is not within 1.." + size + " (the DMABUF's size)";
            case EPERM -> "DMABUF fd " + fd + " is not attached to this endpoint";
            case EAGAIN -> NOT_ENABLED;
            case EBUSY -> "DMABUF fd " + fd + (in ? " still has OUT transfers in flight" : " still has transfers in flight")
                    + (nonBlocking ? " (non-blocking)" : " after 5000 ms");
            case ESHUTDOWN -> DISABLED_MEANWHILE;
            case ENODEV -> INACTIVE;
            case ENOTTY -> unsupported(TRANSFER);
            default -> null;
        };
        return new GadgetException(TRANSFER, path, errno, why, cause);
    }

    /** halt()'s EAGAIN: the UDC refuses to halt an IN endpoint with requests queued (or, non-blocking, not enabled yet). */
    public static String haltRefused(boolean nonBlocking) {
        return nonBlocking ? "the endpoint is not enabled, or IN requests are still queued (the UDC refuses to halt then)"
                : "IN requests are still queued (the UDC refuses to halt then)";
    }

    /** The plain endpoint ioctls' and halt's explanation of {@code errno}, or {@code null}. */
    public static String ioctl(Errno errno) {
        return switch (errno) {
            case EAGAIN -> NOT_ENABLED;
            case ESHUTDOWN -> DISABLED_MEANWHILE;
            case EOPNOTSUPP -> "the UDC does not implement it";
            case ENODEV -> INACTIVE;
            default -> null;
        };
    }
}
