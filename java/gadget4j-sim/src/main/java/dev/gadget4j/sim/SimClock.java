package dev.gadget4j.sim;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The simulator's time source. It runs at real time; tests may {@link #advance} it so that the
 * simulator's timeouts (the 5 s DMABUF enqueue limit, control-transfer timeouts) expire without
 * sleeping. Waits still end in real time when nothing advances the clock.
 */
public final class SimClock {
    private final List<Runnable> wakers = new CopyOnWriteArrayList<>();
    private volatile long offsetNanos;

    /** A clock that runs at real time from now on. */
    public SimClock() {
    }

    /** Monotonic time in nanoseconds: real time plus everything {@link #advance}d. */
    public long nanoTime() {
        return System.nanoTime() + offsetNanos;
    }

    /** Jumps forward by {@code amount} and wakes every waiter so it re-checks its deadline. */
    public void advance(Duration amount) {
        if (amount.isNegative()) {
            throw new IllegalArgumentException("time only moves forward: " + amount);
        }
        synchronized (this) {
            offsetNanos += amount.toNanos();
        }
        wakers.forEach(Runnable::run);
    }

    void onAdvance(Runnable waker) {
        wakers.add(waker);
    }

    void removeOnAdvance(Runnable waker) {
        wakers.remove(waker);
    }
}
