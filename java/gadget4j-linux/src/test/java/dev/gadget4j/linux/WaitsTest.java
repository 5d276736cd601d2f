package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.internal.DeadlineCompletion;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The reaping wait's time left: from the caller's clock reading when it hands one over, else from the
 * clock; past the deadline, one look without waiting.
 */
class WaitsTest {
    private final LockWord reaping = new LockWord();
    private final ReapMonitor monitor = new ReapMonitor();
    private volatile boolean done;
    private long reapedFor = -1;
    /** Whether a reap finds the request complete. */
    private boolean reapCompletes = true;

    private boolean await(long deadline, long now) {
        return Waits.awaitReaped(reaping, monitor, () -> done, deadline, now, nanos -> {
            reapedFor = nanos;
            done = reapCompletes;
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

    /**
     * At the deadline (a zero timeout) it still looks once, without waiting: the waiters are the
     * only reapers, so a caller that polls would otherwise never see its request complete.
     */
    @Test
    void awaitReaped_atTheDeadline_looksOnceWithoutWaiting() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        assertTrue(await(deadline, deadline), "the look found the request complete");
        assertEquals(0, reapedFor, "reaped without waiting");
    }

    @Test
    void awaitReaped_atTheDeadline_requestStillPending_timesOut() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        reapCompletes = false;
        assertFalse(await(deadline, deadline));
        assertEquals(0, reapedFor, "looked once, without waiting");
    }
}
