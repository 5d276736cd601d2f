package dev.gadget4j;

import java.util.Objects;

/**
 * A failed operation on a gadget, a FunctionFS instance, an endpoint, a DMABUF or the host side.
 *
 * <p>The message always names the operation, the errno (name and number) and the object, e.g.
 * {@code FUNCTIONFS_DMABUF_TRANSFER on ep1 failed: EPERM (1): DMABUF fd 12 is not attached to this
 * endpoint}. Both backends throw the same errno for the same misuse, so code that switches on
 * {@link #errno()} behaves the same on the simulator and on a board.
 */
public class GadgetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String operation;
    private final String object;
    private final transient Errno errno;

    /**
     * @param operation what was attempted, by its kernel name where it has one ("FUNCTIONFS_DMABUF_ATTACH", "write")
     * @param object    what it was attempted on ("ep1", "/dev/udmabuf", "DMABUF fd 12")
     * @param errno     the error
     * @param detail    why, in words; may be null
     */
    public GadgetException(String operation, String object, Errno errno, String detail) {
        this(operation, object, errno, detail, null);
    }

    public GadgetException(String operation, String object, Errno errno, String detail, Throwable cause) {
        super(message(operation, object, errno, detail), cause);
        this.operation = Objects.requireNonNull(operation, "operation");
        this.object = Objects.requireNonNull(object, "object");
        this.errno = Objects.requireNonNull(errno, "errno");
    }

    private static String message(String operation, String object, Errno errno, String detail) {
        String m = operation + " on " + object + " failed: " + errno;
        return detail == null || detail.isEmpty() ? m + ": " + errno.description() : m + ": " + detail;
    }

    /** The operation, e.g. {@code FUNCTIONFS_DMABUF_TRANSFER}. */
    public String operation() {
        return operation;
    }

    /** The object the operation was applied to, e.g. {@code ep1}. */
    public String object() {
        return object;
    }

    /** The error. */
    public Errno errno() {
        return errno;
    }

    /**
     * Whether this error means "the function is not enabled right now, wait for the next ENABLE"
     * rather than "failed": ESHUTDOWN (the host disabled the endpoint: a disconnect, a new
     * configuration or alternate setting), ENODEV (the function was unbound from its UDC, by this
     * program or another one) or EAGAIN from a non-blocking call before ENABLE. I/O works again
     * after the next ENABLE (after an unbind: on a reopened endpoint).
     */
    public boolean meansWaitForEnable() {
        return errno == Errno.ESHUTDOWN || errno == Errno.ENODEV || errno == Errno.EAGAIN;
    }
}
