package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import java.time.Duration;

/** Small conversions shared by the waiting code: timeouts to nanoseconds, kernel status numbers to {@link Errno}. */
final class Waits {
    private Waits() {
    }

    /** A timeout in nanoseconds, clamped at 0; durations too long for a long mean "practically forever". */
    static long nanos(Duration d) {
        try {
            return Math.max(0, d.toNanos());
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE / 4;
        }
    }

    /** The errno for a positive kernel number; numbers gadget4j does not know become EIO. */
    static Errno errno(int n) {
        try {
            return Errno.of(n);
        } catch (IllegalArgumentException e) {
            return Errno.EIO;
        }
    }
}
