package dev.gadget4j.linux.sys;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A kernel handle (a file descriptor, an AIO context) with exactly one owner.
 *
 * <p>The kernel reuses numbers as soon as they are released, so a call that races with
 * {@link #close()} could act on someone else's file. Calls therefore {@link #acquire} the handle
 * for their duration; {@code close()} marks it closed at once (later acquires fail with EBADF) and
 * releases the kernel handle when the last call in progress returns. A call blocked in the kernel
 * thus delays the release until it returns: owners unblock such calls first (disable the endpoint,
 * use a timeout) when they need the release to be prompt.
 */
public abstract class OwnedHandle implements AutoCloseable {
    private static final int CLOSED = 1;
    private static final int USER = 2;

    /** Bit 0: closed; the rest: twice the number of calls in progress. */
    private final AtomicInteger state = new AtomicInteger();
    private final String name;

    OwnedHandle(String name) {
        this.name = name;
    }

    /** What messages call this handle, e.g. {@code /dev/ffs/ep1}. */
    public final String name() {
        return name;
    }

    /** Whether {@link #close()} has not been called yet. */
    public final boolean isOpen() {
        return (state.get() & CLOSED) == 0;
    }

    /**
     * Marks one call in progress; pair with {@link #release()} in a finally block.
     *
     * @throws GadgetException EBADF naming {@code operation} when the handle is closed
     */
    public final void acquire(String operation) {
        if (!tryAcquire()) {
            throw closedError(operation);
        }
    }

    /**
     * {@link #acquire} without naming the operation up front (hot paths build the name only on
     * failure): false when the handle is closed.
     */
    public final boolean tryAcquire() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return false;
            }
            if (state.compareAndSet(s, s + USER)) {
                return true;
            }
        }
    }

    /** The EBADF a call on this closed handle fails with. */
    public final GadgetException closedError(String operation) {
        return new GadgetException(operation, name, Errno.EBADF, closedDetail());
    }

    /** Ends a call begun with {@link #acquire}; the last one after close releases the handle. */
    public final void release() {
        if (state.addAndGet(-USER) == CLOSED) {
            try {
                closeHandle();
            } catch (GadgetException e) {
                // Nobody is left to tell: the closer returned already, and the number is gone either way.
            }
        }
    }

    /**
     * Closes once; later calls do nothing. Thread-safe. The kernel handle is released now, or when
     * the last call in progress on another thread returns.
     *
     * @throws GadgetException when releasing the kernel handle fails (it is released all the same)
     */
    @Override
    public final void close() {
        while (true) {
            int s = state.get();
            if ((s & CLOSED) != 0) {
                return;
            }
            if (state.compareAndSet(s, s | CLOSED)) {
                if (s == 0) {
                    closeHandle();
                }
                return;
            }
        }
    }

    /** Why calls fail after close, for the EBADF message. */
    abstract String closedDetail();

    /** Releases the kernel handle; called exactly once. */
    abstract void closeHandle();
}
