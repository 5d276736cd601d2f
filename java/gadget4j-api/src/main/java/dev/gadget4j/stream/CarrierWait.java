package dev.gadget4j.stream;

import dev.gadget4j.Completion;
import dev.gadget4j.internal.DeadlineCompletion;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Waits for a completion without holding a virtual thread's carrier. A wait of the Linux backend
 * is a blocking downcall ({@code poll}, {@code io_getevents}), and a virtual thread inside a
 * downcall pins its carrier: with as many carriers as CPUs, two streams waiting at once on a
 * 2-CPU board leave no carrier for the virtual thread that feeds the endpoint the host reads
 * next, and nothing moves again. On a virtual thread the wait polls {@link Completion#isDone()}
 * (which never blocks) and parks between looks, 20 µs at first, doubling up to 1 ms: parked, the
 * virtual thread leaves its carrier to the others. A platform thread waits in one call, by
 * deadline where the backend's handle allows it (no {@link Duration} per wait).
 */
final class CarrierWait {
    private static final long FIRST_PARK_NANOS = 20_000;
    private static final long MAX_PARK_NANOS = Duration.ofMillis(1).toNanos();

    private CarrierWait() {
    }

    /**
     * {@link Completion#awaitBytes} until {@code deadline} ({@link System#nanoTime()}), with the
     * caller's reading of the clock {@code now} as {@link DeadlineCompletion#awaitBytesUntil}
     * takes it.
     *
     * @return the bytes moved, or {@link DeadlineCompletion#TIMED_OUT} at the deadline (a
     *         completion that is not a {@link DeadlineCompletion} throws ETIMEDOUT instead)
     * @throws dev.gadget4j.GadgetException the completion's error
     */
    static long awaitBytes(Completion c, long deadline, long now) {
        if (Thread.currentThread().isVirtual()) {
            long park = FIRST_PARK_NANOS;
            while (!c.isDone() && deadline - System.nanoTime() > 0) {
                LockSupport.parkNanos(Math.min(park, deadline - System.nanoTime()));
                park = Math.min(MAX_PARK_NANOS, park * 2);
            }
            now = DeadlineCompletion.NO_READING; // the parks took time
        }
        return c instanceof DeadlineCompletion d ? d.awaitBytesUntil(deadline, now)
                : c.awaitBytes(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
}
