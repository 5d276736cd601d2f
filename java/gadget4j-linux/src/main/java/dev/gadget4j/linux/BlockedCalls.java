package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.linux.sys.WakeSignal;
import java.util.Arrays;

/**
 * The threads blocked in system calls on one object (an endpoint file, ep0), so that closing the
 * object wakes them: {@link #shutDown()} refuses new calls and signals every registered thread
 * ({@link WakeSignal}) until it has left, so its call returns EINTR; the caller then sees
 * {@link #isShutDown()} and fails with {@link #closedError}. Without this a call that sleeps until
 * ENABLE (FunctionFS has no poll on endpoint files) would outlive the close for good, and with it
 * the deferred release of the file.
 *
 * <p>How a blocking call uses it (allocation-free on the way in and out):
 * <pre>{@code
 * int slot = calls.enter(operation);          // EBADF once shut down
 * try {
 *     while (true) {
 *         long r = Libc.ioctlOnce(fd, request, arg);   // or readOnce, writeOnce, io_submit
 *         if (r >= 0) return r;
 *         if (r != -EINTR) throw Libc.error(operation, object, (int) -r, null);
 *         if (calls.isShutDown()) throw calls.closedError(operation);
 *     }
 * } finally {
 *     calls.leave(slot);
 * }
 * }</pre>
 * A thread is signalled again every few milliseconds while registered: a signal that arrives
 * between {@code enter} and the system call is consumed by the handler, the next one is not.
 */
final class BlockedCalls {
    /** How often a registered thread is signalled again while the closer waits. */
    private static final long RESIGNAL_MILLIS = 5;
    /** How long the closer waits for blocked threads to leave before it gives up (uninterruptible sleeps). */
    private static final long GIVE_UP_NANOS = 5_000_000_000L;

    private final String object;
    /** pthread_t of each registered call, 0 for a free slot; guarded by this. */
    private long[] threads = new long[4];
    private int count;
    private volatile boolean shutDown;

    BlockedCalls(String object) {
        this.object = object;
    }

    /** Registers the calling thread for a blocking call; pair with {@link #leave} in a finally block. */
    int enter(String operation) {
        long self = WakeSignal.self();
        synchronized (this) {
            if (shutDown) {
                throw closedError(operation);
            }
            for (int i = 0; i < threads.length; i++) {
                if (threads[i] == 0) {
                    threads[i] = self;
                    count++;
                    return i;
                }
            }
            int slot = threads.length;
            threads = Arrays.copyOf(threads, slot * 2);
            threads[slot] = self;
            count++;
            return slot;
        }
    }

    /** Ends the call {@link #enter} registered in {@code slot}. */
    void leave(int slot) {
        synchronized (this) {
            threads[slot] = 0;
            count--;
            if (shutDown) {
                notifyAll();
            }
        }
    }

    /** How many calls are registered now (for tests). */
    synchronized int registeredCount() {
        return count;
    }

    /** Whether {@link #shutDown()} was called: an EINTR now means "closed", not "retry". */
    boolean isShutDown() {
        return shutDown;
    }

    /** The error a call fails with once the object is closed. */
    GadgetException closedError(String operation) {
        return new GadgetException(operation, object, Errno.EBADF, "the endpoint was closed while this call was waiting");
    }

    /**
     * Refuses new calls and wakes every registered one; returns once they have all left (or after
     * a few seconds, if one sleeps uninterruptibly: the owner's deferred close then finishes when
     * it returns). Idempotent.
     */
    void shutDown() {
        long deadline = System.nanoTime() + GIVE_UP_NANOS;
        synchronized (this) {
            shutDown = true;
            while (count > 0 && WakeSignal.available() && System.nanoTime() < deadline) {
                for (long t : threads) {
                    if (t != 0) {
                        WakeSignal.wake(t);
                    }
                }
                try {
                    wait(RESIGNAL_MILLIS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
