package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.internal.DeadlineCompletion;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The reaping wait's time left: from the caller's clock reading when it hands one over, else from the clock. */
class WaitsTest {
    private final LockWord reaping = new LockWord();
    private final ReapMonitor monitor = new ReapMonitor();
    private volatile boolean done;
    private long reapedFor = -1;

    private boolean await(long deadline, long now) {
        return Waits.awaitReaped(reaping, monitor, () -> done, deadline, now, nanos -> {
            reapedFor = nanos;
            done = true;
        }, "test", "test");
    }

    @Test
    void awaitReaped_withTheCallersReading_reapsForTheDeadlineLessThatReading() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long now = deadline - TimeUnit.MILLISECONDS.toNanos(3);
        assertTrue(await(deadline, now));
        assertEquals(TimeUnit.MILLISECONDS.toNanos(3), reapedFor);
    }

    @Test
    void awaitReaped_withoutAReading_reapsForTheTimeLeftByTheClock() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        assertTrue(await(deadline, DeadlineCompletion.NO_READING));
        assertTrue(reapedFor > TimeUnit.SECONDS.toNanos(50) && reapedFor <= TimeUnit.SECONDS.toNanos(60),
                () -> "reaped for " + reapedFor + " ns");
    }

    @Test
    void awaitReaped_whileAnotherThreadReaps_sleepsOnTheMonitorUntilItsRequestIsDone() throws InterruptedException {
        reaping.lock(); // another thread holds the reaping right
        Thread completer = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            done = true; // what the reaper's completion does, then its wake-up
            monitor.wakeWaiters();
        });
        try {
            assertTrue(await(System.nanoTime() + TimeUnit.SECONDS.toNanos(60), DeadlineCompletion.NO_READING));
            assertEquals(-1, reapedFor, "it did not reap: the right was taken");
        } finally {
            completer.join();
            reaping.unlock();
        }
    }

    @Test
    void awaitReaped_withAReadingAtTheDeadline_timesOutWithoutReaping() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        assertFalse(await(deadline, deadline));
        assertEquals(-1, reapedFor);
    }
}
