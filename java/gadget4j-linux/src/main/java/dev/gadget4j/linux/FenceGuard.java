package dev.gadget4j.linux;

import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Keeps sync_files away from freed FunctionFS attachments (issue 5, bug 2 of Linux 6.12: a
 * transfer's fence lock lives in its attachment, which DETACH or closing the endpoint file can
 * free while a sync_file still holds the fence; polling, querying or closing that sync_file then
 * touches freed memory).
 *
 * <p>Every use of a sync_file (export, SYNC_IOC_FILE_INFO, poll, close) holds the read side;
 * DETACH and closing an endpoint file hold the write side while they close the sync_files that
 * may hold the attachment's fences and only then let the kernel drop the attachment. A waiter
 * blocked in poll() on a sync_file also polls {@link #wakeFd()}, which the writer signals before
 * it queues for the lock, so a long {@code await} never delays a close. The lock is fair, so a
 * waiting writer holds back new readers. One guard per backend: detach and close are rare, and a
 * single lock leaves no lock order to get wrong.
 */
final class FenceGuard implements AutoCloseable {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock(true);
    private final Fd wake = Fd.eventfd(0, Constants.EFD_NONBLOCK, "eventfd (fence waiters)");
    /** Writers that signalled and have not released yet; guarded by this. */
    private int writers;

    void readLock() {
        lock.readLock().lock();
    }

    void readUnlock() {
        lock.readLock().unlock();
    }

    /** Wakes pollers, then takes the write side. */
    void writeLock() {
        synchronized (this) {
            writers++;
            signal(1);
        }
        lock.writeLock().lock();
    }

    /**
     * Releases the write side; the last writer drains the wake-up so later waits block again
     * (an earlier writer must not drain it while another one still queues for the lock).
     */
    void writeUnlock() {
        try {
            synchronized (this) {
                if (--writers == 0) {
                    drain();
                }
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    Fd wakeFd() {
        return wake;
    }

    private void signal(long value) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(ValueLayout.JAVA_LONG);
            v.set(ValueLayout.JAVA_LONG, 0, value);
            wake.write(v);
        } catch (RuntimeException e) {
            // A closed guard (backend closed) has no waiters left to wake.
        }
    }

    private void drain() {
        try (Arena arena = Arena.ofConfined()) {
            wake.read(arena.allocate(ValueLayout.JAVA_LONG));
        } catch (RuntimeException e) {
            // EAGAIN: nothing to drain.
        }
    }

    @Override
    public void close() {
        wake.close();
    }
}
