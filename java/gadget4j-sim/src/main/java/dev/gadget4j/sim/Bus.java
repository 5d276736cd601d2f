package dev.gadget4j.sim;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The simulated UDC and host controller's shared state: one lock for everything on the bus, and
 * one condition nearly every waiter sleeps on (ep0 readers have one of their own, so that the
 * traffic on the other endpoints does not wake them at every transfer). A single lock keeps the simulation's ordering identical
 * to the kernel's (requests on one endpoint complete in queue order, fences signal in seqno order)
 * without lock-ordering puzzles; the data copies done under it are what the bus would cost anyway.
 */
final class Bus {
    final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Conditions of their own (see {@link #condition()}); guarded by the lock. */
    private final java.util.List<Condition> others = new java.util.ArrayList<>();
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

    /**
     * A condition for waiters that only some changes concern: whoever makes such a change signals
     * it (lock held) as well as {@link #signal()}; the clock wakes it with every other waiter.
     */
    Condition condition() {
        lock.lock();
        try {
            Condition c = lock.newCondition();
            others.add(c);
            return c;
        } finally {
            lock.unlock();
        }
    }

    private void wakeAll() {
        lock.lock();
        try {
            changed.signalAll();
            for (Condition c : others) {
                c.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Deadline for a timeout, saturating for very long ones. */
    long deadline(Duration timeout) {
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = Long.MAX_VALUE / 4;
        }
        return deadlineIn(nanos);
    }

    /**
     * The deadline on this bus's clock for a {@link System#nanoTime()} one (the library's streams
     * wait by deadline): the same time left; {@link Long#MAX_VALUE} stays "no limit".
     */
    long deadlineFromSystem(long systemDeadline) {
        return systemDeadline == Long.MAX_VALUE ? Long.MAX_VALUE
                : deadlineIn(Math.max(0, systemDeadline - System.nanoTime()));
    }

    private long deadlineIn(long nanos) {
        return nanos >= Long.MAX_VALUE / 4 ? Long.MAX_VALUE : clock.nanoTime() + nanos;
    }

    /**
     * Waits (lock held) for a change or the deadline.
     *
     * @return false once the deadline has passed
     * @throws GadgetException EINTR when the thread is interrupted, as a signal would end a
     *                         sleeping system call
     */
    boolean await(long deadline, String operation, String object) {
        return await(changed, deadline, operation, object);
    }

    /** {@link #await(long, String, String)} on a condition of its own ({@link #condition()}). */
    boolean await(Condition on, long deadline, String operation, String object) {
        long remaining = deadline == Long.MAX_VALUE ? Long.MAX_VALUE : deadline - clock.nanoTime();
        if (remaining <= 0) {
            return false;
        }
        try {
            if (deadline == Long.MAX_VALUE) {
                on.await();
            } else {
                on.awaitNanos(Math.min(remaining, TimeUnit.SECONDS.toNanos(1)));
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
