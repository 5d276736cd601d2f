package dev.gadget4j.stream;

import dev.gadget4j.Completion;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.time.Duration;

/**
 * Waits for a completion without holding a virtual thread's carrier for longer than a slice.
 * A wait of the Linux backend is a blocking downcall ({@code poll}, {@code io_getevents}), and a
 * virtual thread inside a downcall pins its carrier: with as many carriers as CPUs, two streams
 * waiting at once on a 2-CPU board would leave no carrier for the virtual thread that feeds the
 * endpoint the host reads next, and nothing would move again. On a virtual thread the wait is cut
 * into slices and the carrier given up between them; a platform thread waits in one call.
 */
final class CarrierWait {
    /** The longest a waiting virtual thread keeps its carrier. */
    static final long SLICE_NANOS = Duration.ofMillis(10).toNanos();
    private static final Duration SLICE = Duration.ofNanos(SLICE_NANOS);

    private CarrierWait() {
    }

    /**
     * {@link Completion#awaitBytes} until {@code deadline} ({@link System#nanoTime()}).
     *
     * @throws GadgetException ETIMEDOUT at the deadline, or the completion's error
     */
    static long awaitBytes(Completion c, long deadline) {
        if (Thread.currentThread().isVirtual()) {
            while (!c.isDone() && deadline - System.nanoTime() > SLICE_NANOS) {
                try {
                    return c.awaitBytes(SLICE);
                } catch (GadgetException e) {
                    if (e.errno() != Errno.ETIMEDOUT) {
                        throw e;
                    }
                }
                Thread.yield();
            }
        }
        return c.awaitBytes(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
}
