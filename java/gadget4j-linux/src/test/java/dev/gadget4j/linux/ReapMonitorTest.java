package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ReapMonitorTest {
    /** Waits up to 60 s on the monitor; records whether it was back well before that. */
    private static Thread waiter(ReapMonitor monitor, boolean[] early, int i) {
        return Thread.ofPlatform().start(() -> {
            synchronized (monitor) {
                long t0 = System.nanoTime();
                try {
                    monitor.await(60_000);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                early[i] = System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30);
            }
        });
    }

    @Test
    void wakeAllWakesEveryWaiter() throws Exception {
        everyWaiterWokenBy(monitor -> {
            synchronized (monitor) {
                monitor.wakeAll();
            }
        });
    }

    @Test
    void wakeWaitersWakesEveryWaiter_withoutTheMonitorHeld() throws Exception {
        everyWaiterWokenBy(ReapMonitor::wakeWaiters);
    }

    private static void everyWaiterWokenBy(Consumer<ReapMonitor> wake) throws Exception {
        ReapMonitor monitor = new ReapMonitor();
        wake.accept(monitor); // nobody waits: nothing to do, and nothing is remembered
        boolean[] early = new boolean[2];
        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < early.length; i++) {
            waiters.add(waiter(monitor, early, i));
        }
        // Until both are parked in await, a wake could come before one of them waits.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (waiters.stream().anyMatch(t -> t.getState() != Thread.State.TIMED_WAITING)) {
            assertTrue(System.nanoTime() < deadline, "the waiters did not start waiting");
            Thread.sleep(1);
        }
        wake.accept(monitor);
        for (Thread t : waiters) {
            t.join(30_000);
            assertFalse(t.isAlive(), "a waiter still waits after the wake-up");
        }
        assertTrue(early[0] && early[1], "a waiter was woken by its timeout, not by the wake-up");
    }
}
