package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.linux.sys.Ioctl;
import dev.gadget4j.linux.sys.KernelThreads;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A function's bind state for the DMABUF ioctls that 6.12 lets dereference a NULL
 * {@code ffs->gadget} after unbind (TRANSFER and DETACH read it first thing, before they can
 * sleep). One state word: the number of such ioctls in progress, an UNBOUND bit and the bind
 * generation. Entering is one CAS (fails with ENODEV once unbound); lowering sets UNBOUND and
 * then drains: it returns when no caller is left between its check and the kernel's read of the
 * gadget.
 *
 * <p>The drain never gives up on time (a thread can be paused for any time between its check and
 * its syscall). It does not wait for callers asleep inside the ioctl, which are past that read:
 * each caller registers its kernel thread id and fd in a slot, and the drain asks
 * {@code /proc/self/task/TID/syscall} whether every remaining caller is asleep in TRANSFER or
 * DETACH on that fd. (A signal that restarts a sleeping TRANSFER would reread the gadget; the JVM
 * sends none to a thread in native code, and the library retries EINTR only after entering again.)
 *
 * <p>The generation lets an UNBIND event that was read before a newer {@link #raise()} be
 * recognised as stale ({@link #lowerIf}).
 */
final class BindGate {
    private static final long UNBOUND = 1L << 31;
    private static final long COUNT = UNBOUND - 1;
    private static final int GEN_SHIFT = 32;
    private static final int SLOTS = 32;
    private static final long SPIN_NANOS = 50_000;
    private static final long MAX_PARK_NANOS = 10_000_000;

    private final AtomicLong state = new AtomicLong(UNBOUND);
    /** Callers in progress: kernel tid (high half) and fd (low half); 0 = free. */
    private final AtomicLongArray callers = new AtomicLongArray(SLOTS);

    /** Whether the function counts as bound. */
    boolean isBound() {
        return (state.get() & UNBOUND) == 0;
    }

    /** The current bind generation (raised by each {@link #raise()}). */
    long generation() {
        return state.get() >>> GEN_SHIFT;
    }

    /** Marks the function bound, in a new generation. */
    void raise() {
        while (true) {
            long s = state.get();
            long next = (((s >>> GEN_SHIFT) + 1) << GEN_SHIFT) | (s & COUNT);
            if (state.compareAndSet(s, next)) {
                return;
            }
        }
    }

    /** Marks the function unbound, then drains. */
    void lower() {
        state.getAndUpdate(s -> s | UNBOUND);
        drain();
    }

    /**
     * Lowers only if no bind happened since generation {@code generation} (an UNBIND event read
     * before a newer bind is stale). Returns whether it lowered.
     */
    boolean lowerIf(long generation) {
        while (true) {
            long s = state.get();
            if ((s >>> GEN_SHIFT) != generation) {
                return false;
            }
            if ((s & UNBOUND) != 0 || state.compareAndSet(s, s | UNBOUND)) {
                drain();
                return true;
            }
        }
    }

    /**
     * Enters a TRANSFER or DETACH on endpoint file {@code fd} for thread {@code tid}: the slot to
     * pass to {@link #leave}.
     *
     * @throws GadgetException ENODEV (no ioctl issued) when the function is unbound
     */
    int enter(String operation, String object, int fd, int tid) {
        while (true) {
            long s = state.get();
            if ((s & UNBOUND) != 0) {
                throw unbound(operation, object);
            }
            if (state.compareAndSet(s, s + 1)) {
                break;
            }
        }
        long token = ((long) tid << 32) | (fd & 0xffff_ffffL);
        for (int i = tid & (SLOTS - 1), n = 0; n < SLOTS; i = (i + 1) & (SLOTS - 1), n++) {
            if (callers.get(i) == 0 && callers.compareAndSet(i, 0, token)) {
                return i;
            }
        }
        return -1; // not registered: a drain then waits for this caller to leave
    }

    void leave(int slot) {
        if (slot >= 0) {
            // the decrement after it is a full barrier: a drain that sees the count drop sees the slot free
            callers.setRelease(slot, 0);
        }
        state.decrementAndGet();
    }

    static GadgetException unbound(String operation, String object) {
        return new GadgetException(operation, object, Errno.ENODEV,
                "the function is unbound from its UDC; gadget4j does not issue this ioctl then (Linux 6.12 "
                        + "dereferences a NULL gadget there); close the endpoint to drop its DMABUFs");
    }

    /** Waits until every caller in progress left or sleeps inside its ioctl. */
    private void drain() {
        long start = System.nanoTime();
        long park = 1_000;
        while (true) {
            long inside = state.get() & COUNT;
            if (inside == 0) {
                return;
            }
            if (System.nanoTime() - start < SPIN_NANOS) {
                Thread.onSpinWait();
                continue;
            }
            if (inside == asleepInKernel()) {
                return;
            }
            LockSupport.parkNanos(park);
            park = Math.min(MAX_PARK_NANOS, park * 2);
        }
    }

    /** How many registered callers sleep inside TRANSFER or DETACH; -1 as soon as one does not. */
    private long asleepInKernel() {
        long asleep = 0;
        for (int i = 0; i < SLOTS; i++) {
            long token = callers.get(i);
            if (token == 0) {
                continue;
            }
            int tid = (int) (token >>> 32);
            int fd = (int) token;
            if (!KernelThreads.asleepInIoctl(tid, fd, Ioctl.FUNCTIONFS_DMABUF_TRANSFER)
                    && !KernelThreads.asleepInIoctl(tid, fd, Ioctl.FUNCTIONFS_DMABUF_DETACH)) {
                return -1;
            }
            asleep++;
        }
        return asleep;
    }
}
