package dev.gadget4j.sim;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The simulated UDC and host controller's shared state: one lock for everything on the bus, and
 * one condition every waiter sleeps on. A single lock keeps the simulation's ordering identical
 * to the kernel's (requests on one endpoint complete in queue order, fences signal in seqno order)
 * without lock-ordering puzzles; the data copies done under it are what the bus would cost anyway.
 */
final class Bus {
    final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    final SimClock clock;
    private final Runnable waker = this::wakeAll;

    Bus(SimClock clock) {
        this.clock = clock;
        clock.onAdvance(waker);
    }

    void detachClock() {
        clock.removeOnAdvance(waker);
    }

    /** Wakes every waiter; call with the lock held. */
    void signal() {
        changed.signalAll();
    }

    private void wakeAll() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Deadline for a timeout, saturating for very long ones. */
    long deadline(Duration timeout) {
        long now = clock.nanoTime();
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE / 4;
        }
        return nanos >= Long.MAX_VALUE / 4 ? Long.MAX_VALUE : now + nanos;
    }

    /**
     * Waits (lock held) for a change or the deadline.
     *
     * @return false once the deadline has passed
     * @throws GadgetException EINTR when the thread is interrupted, as a signal would end a
     *                         sleeping system call
     */
    boolean await(long deadline, String operation, String object) {
        long remaining = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - clock.nanoTime();
        if (remaining <= 0) {
            return false;
        }
        try {
            if (deadline == Long.MAX_VALUE) {
                changed.await();
            } else {
                changed.awaitNanos(Math.min(remaining, TimeUnit.SECONDS.toNanos(1)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GadgetException(operation, object, Errno.EINTR, "interrupted while waiting");
        }
        return true;
    }

    /** Runs {@code body} under the bus lock. */
    <T> T locked(java.util.function.Supplier<T> body) {
        lock.lock();
        try {
            return body.get();
        } finally {
            lock.unlock();
        }
    }

    void locked(Runnable body) {
        lock.lock();
        try {
            body.run();
        } finally {
            lock.unlock();
        }
    }
}
