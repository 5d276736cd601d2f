package dev.gadget4j.linux;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * A lock for sections that run a few stores and no call that can sleep for long: one
 * compare-and-set to take it, one release store to give it back. A monitor costs two
 * compare-and-sets and the JVM's lock bookkeeping; on the transfer paths, where a lock is taken
 * once or twice per transfer and almost never contended, that difference is most of the lock's
 * cost. A thread that finds it taken spins, then yields, then parks briefly, in case its holder
 * was preempted. Not reentrant; no waiting on it (waiters sleep on a monitor of their own).
 */
final class LockWord {
    private static final VarHandle LOCKED;
    /** Spins before a thread that finds the lock taken yields. */
    private static final int SPINS = 64;
    /** Yields before it parks. */
    private static final int YIELDS = 64;

    static {
        try {
            LOCKED = MethodHandles.lookup().findVarHandle(LockWord.class, "locked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private boolean locked;

    /** Takes the lock if it is free: whether it did. */
    boolean tryLock() {
        return LOCKED.compareAndSet(this, false, true);
    }

    void lock() {
        if (!tryLock()) {
            contend();
        }
    }

    private void contend() {
        for (int tries = 0; !tryLock(); tries++) {
            if (tries < SPINS) {
                Thread.onSpinWait();
            } else if (tries < SPINS + YIELDS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(20_000);
            }
        }
    }

    void unlock() {
        LOCKED.setRelease(this, false);
    }
}
