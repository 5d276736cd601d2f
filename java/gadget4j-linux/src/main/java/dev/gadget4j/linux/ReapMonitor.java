package dev.gadget4j.linux;

/**
 * The monitor of a queue whose waiters reap completions themselves ({@link Waits#awaitReaped}):
 * it counts the threads waiting on it, so that a completion wakes them only when there are some.
 * {@code notifyAll} with nobody waiting still leaves compiled code for a call into the VM, once
 * per completion and once per reap; a stream's one thread reaps its completions itself, so in the
 * steady state nobody waits on the monitor.
 */
final class ReapMonitor {
    /**
     * Changed under this monitor; volatile, so that a reaper that let go of the reaping lock can
     * see without the monitor that nobody waits to take it over. A waiter that begins to wait
     * just after that look sleeps one slice of its wait and looks again, as it does when the
     * reaper's wake-up comes before its wait.
     */
    private volatile int waiters;

    /** Waits on the monitor, held, for up to {@code millis} (more than 0) as {@link Object#wait(long)}. */
    void await(long millis) throws InterruptedException {
        waiters++;
        try {
            wait(millis);
        } finally {
            waiters--;
        }
    }

    /** Monitor held: wakes every waiting thread, if any. */
    void wakeAll() {
        if (waiters > 0) {
            notifyAll();
        }
    }

    /** Monitor not held: wakes every waiting thread, taking the monitor only if there are some. */
    void wakeWaiters() {
        if (waiters > 0) {
            synchronized (this) {
                notifyAll();
            }
        }
    }
}
