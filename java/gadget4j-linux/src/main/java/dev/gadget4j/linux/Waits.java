package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.internal.DeadlineCompletion;
import java.time.Duration;

/**
 * What the waiting code shares: timeouts to nanoseconds, kernel status numbers to {@link Errno},
 * and the wait for requests whose completions the waiters reap themselves (AIO, usbfs URBs).
 */
final class Waits {
    /** How long a waiter that is not reaping sleeps before it looks again. */
    private static final long WAIT_SLICE_MILLIS = 20;

    private Waits() {
    }

    /**
     * Whether a request has completed: a volatile read of a flag that its completion sets after
     * writing the result, with release semantics, so a thread that reads true reads the result
     * without a lock. Requests implement it: no lambda per wait.
     */
    interface Completion {
        boolean completed();
    }

    /**
     * Reaps completions for at most {@code nanos} (0: what is there now); the reaping lock is
     * held and the waiter's own request has not completed.
     */
    @FunctionalInterface
    interface Reap {
        void reap(long nanos);
    }

    /**
     * Whether {@code done} holds after reaping what has completed, if no other thread is reaping.
     * A reap runs only while {@code done}'s request is pending, the reaping lock held.
     */
    static boolean reapedNow(LockWord reaping, ReapMonitor monitor, Completion done, Reap reap) {
        if (done.completed()) {
            return true;
        }
        if (reaping.tryLock()) {
            try {
                if (done.completed()) {
                    return true;
                }
                reap.reap(0);
            } finally {
                reaping.unlock();
            }
            monitor.wakeWaiters();
        }
        return done.completed();
    }

    /**
     * Waits until {@code done} holds, or returns false at {@code deadline} after one last look
     * without waiting ({@link System#nanoTime()}; {@code now}: the caller's reading of that clock
     * for the first look, or {@link DeadlineCompletion#NO_READING}). No reaper thread: one waiter
     * at a time holds {@code reaping} and reaps for the time left, then wakes the others, which
     * wait on the monitor meanwhile in short slices. {@code operation} and {@code object} name an
     * interrupt. The monitor is taken only to wait and to wake: a stream's one thread, which
     * reaps its own completions, finds its request done with a volatile read.
     */
    static boolean awaitReaped(LockWord reaping, ReapMonitor monitor, Completion done, long deadline, long now,
                               Reap reap, String operation, String object) {
        while (true) {
            if (done.completed()) {
                return true;
            }
            long left = DeadlineCompletion.timeLeft(deadline, now);
            now = DeadlineCompletion.NO_READING;
            if (left <= 0) {
                // Nobody may reap but the waiters: a deadline already passed (a zero timeout)
                // still looks at what has completed, or a poller would never see its request end.
                return reapedNow(reaping, monitor, done, reap);
            }
            if (reaping.tryLock()) {
                try {
                    if (done.completed()) {
                        return true;
                    }
                    reap.reap(left);
                } finally {
                    reaping.unlock();
                }
                monitor.wakeWaiters();
            } else {
                synchronized (monitor) {
                    if (!done.completed()) {
                        try {
                            monitor.await(Math.max(1, Math.min(WAIT_SLICE_MILLIS, left / 1_000_000)));
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new GadgetException(operation, object, Errno.EINTR, "interrupted");
                        }
                    }
                }
            }
        }
    }

    /** A timeout in nanoseconds, clamped at 0; durations too long for a long mean "practically forever". */
    static long nanos(Duration d) {
        try {
            return Math.max(0, d.toNanos());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    /** The errno for a positive kernel number; numbers gadget4j does not know become EIO. */
    static Errno errno(int n) {
        try {
            return Errno.of(n);
        } catch (IllegalArgumentException e) {
            return Errno.EIO;
        }
    }
}
