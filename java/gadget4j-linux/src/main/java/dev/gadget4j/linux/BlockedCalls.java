package dev.gadget4j.linux;

import dev.gadget4j.GadgetException;
import dev.gadget4j.internal.EndpointErrors;
import dev.gadget4j.linux.sys.FenceScratch;
import dev.gadget4j.linux.sys.WakeSignal;
import java.util.concurrent.atomic.AtomicLongArray;

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
 *
 * <p>Registration takes no lock and allocates nothing once the slots exist (a DMABUF TRANSFER
 * registers on every call): a caller claims a free slot with a CAS and then reads the shut-down
 * flag; the closer sets the flag and then reads the slots. Both are sequentially consistent, so
 * either the caller sees the flag and leaves, or the closer sees the caller and signals it.
 */
final class BlockedCalls {
    /** How often a registered thread is signalled again while the closer waits. */
    private static final long RESIGNAL_MILLIS = 5;
    /** How long the closer waits for blocked threads to leave before it gives up (uninterruptible sleeps). */
    private static final long GIVE_UP_NANOS = 5_000_000_000L;
    /** Slots per chunk; chunks are added when all are taken and never removed. */
    private static final int CHUNK = 8;

    /** A run of slots: the pthread_t of each registered call, 0 for a free slot. */
    private static final class Chunk {
        final AtomicLongArray threads = new AtomicLongArray(CHUNK);
        volatile Chunk next;
    }

    private final String object;
    private final Chunk first = new Chunk();
    private volatile boolean shutDown;

    BlockedCalls(String object) {
        this.object = object;
    }

    /** Registers the calling thread for a blocking call; pair with {@link #leave} in a finally block. */
    int enter(String operation) {
        // The thread's scratch keeps its pthread_t: no downcall per read, write or io_submit.
        return enter(operation, FenceScratch.current().pthread());
    }

    /** {@link #enter(String)} with the calling thread's {@code pthread_t} ({@link FenceScratch#pthread()}) at hand. */
    int enter(String operation, long self) {
        int base = 0;
        Chunk c = first;
        while (true) {
            for (int i = 0; i < CHUNK; i++) {
                if (c.threads.get(i) == 0 && c.threads.compareAndSet(i, 0, self)) {
                    int slot = base + i;
                    if (shutDown) {
                        leave(slot);
                        throw closedError(operation);
                    }
                    return slot;
                }
            }
            Chunk next = c.next;
            if (next == null) {
                synchronized (this) { // only when every slot is taken: the chunk list grows once
                    next = c.next;
                    if (next == null) {
                        next = new Chunk();
                        c.next = next;
                    }
                }
            }
            c = next;
            base += CHUNK;
        }
    }

    /** Ends the call {@link #enter} registered in {@code slot}. */
    void leave(int slot) {
        Chunk c = first;
        for (int i = slot / CHUNK; i > 0; i--) {
            c = c.next;
        }
        // A release store, not a volatile one (a barrier per blocking call): a closer that scans
        // the slots before the store is seen scans again after RESIGNAL_MILLIS.
        c.threads.setRelease(slot % CHUNK, 0);
        if (shutDown) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    /** How many calls are registered now. */
    int registeredCount() {
        int n = 0;
        for (Chunk c = first; c != null; c = c.next) {
            for (int i = 0; i < CHUNK; i++) {
                if (c.threads.get(i) != 0) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Whether {@link #shutDown()} was called: an EINTR now means "closed", not "retry". */
    boolean isShutDown() {
        return shutDown;
    }

    /** The error a call fails with once the object is closed. */
    GadgetException closedError(String operation) {
        return EndpointErrors.closedWhileWaiting(operation, object);
    }

    /**
     * Refuses new calls and wakes every registered one; returns once they have all left (or after
     * a few seconds, if one sleeps uninterruptibly: the owner's deferred close then finishes when
     * it returns). Idempotent.
     */
    void shutDown() {
        shutDown = true;
        long deadline = System.nanoTime() + GIVE_UP_NANOS;
        while (WakeSignal.available() && System.nanoTime() < deadline) {
            int signalled = 0;
            for (Chunk c = first; c != null; c = c.next) {
                for (int i = 0; i < CHUNK; i++) {
                    long t = c.threads.get(i);
                    if (t != 0) {
                        WakeSignal.wake(t);
                        signalled++;
                    }
                }
            }
            if (signalled == 0) {
                return;
            }
            synchronized (this) {
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
