package dev.gadget4j.linux.sys;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * {@code poll(2)} on one fd with a deadline: EINTR restarts with the time that is left, timeouts
 * longer than poll's {@code int} milliseconds are served in pieces, and a negative timeout waits
 * forever. The fd is acquired for the duration (see {@link OwnedHandle}). The pollfd is the
 * calling thread's {@link FenceScratch} one: a call allocates nothing. Never a critical downcall,
 * even with timeout 0: polling some files takes a sleeping lock (FunctionFS's ep0 takes its mutex).
 */
public final class Poll {
    /** What {@link #poll(Fd, int, Duration, BooleanSupplier)} returns when its caller was told to stop. */
    public static final int STOPPED = -1;
    private static final BooleanSupplier NEVER = () -> false;
    private static final long POLL_MAX_MILLIS = Integer.MAX_VALUE;
    /** Beyond this (about 146 years) a deadline in nanoTime units would overflow: wait forever. */
    private static final long FOREVER_MILLIS = Long.MAX_VALUE / 2_000_000L;

    private Poll() {
    }

    /** Waits for {@code events} on one fd: the returned events, 0 on timeout. */
    public static int poll(Fd fd, int events, long timeoutMillis) {
        return poll(fd, events, timeoutMillis, NEVER);
    }

    /**
     * {@link #poll(Fd, int, long)} that a signal can end: when the wait is interrupted and
     * {@code stop} then holds, returns {@link #STOPPED} instead of waiting on.
     */
    private static int poll(Fd fd, int events, long timeoutMillis, BooleanSupplier stop) {
        if (!fd.tryAcquire()) {
            throw fd.closedError("poll");
        }
        try {
            FenceScratch s = FenceScratch.current();
            boolean forever = timeoutMillis < 0 || timeoutMillis >= FOREVER_MILLIS;
            long deadline = forever ? 0 : System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                int wait = forever ? -1 : (int) Math.min(POLL_MAX_MILLIS, remainingMillis(deadline));
                s.pollFd(0, fd.number(), events);
                int ready = Libc.pollOnce(s.pollFds(), 1, wait, fd.name());
                if (ready > 0) {
                    return s.revents(0);
                }
                if (ready < 0 && stop.getAsBoolean()) {
                    return STOPPED;
                }
                if (ready == 0 && !forever && remainingMillis(deadline) == 0) {
                    return 0;
                }
            }
        } finally {
            fd.release();
        }
    }

    /** {@link #poll(Fd, int, long)} with a {@link Duration}; null waits forever. */
    public static int poll(Fd fd, int events, Duration timeout) {
        return poll(fd, events, timeout, NEVER);
    }

    /** {@link #poll(Fd, int, Duration)} that ends with {@link #STOPPED} when interrupted while {@code stop} holds. */
    public static int poll(Fd fd, int events, Duration timeout, BooleanSupplier stop) {
        return poll(fd, events, timeout == null ? -1 : Math.max(0, millisCeil(timeout)), stop);
    }

    private static long remainingMillis(long deadline) {
        long left = deadline - System.nanoTime();
        return left <= 0 ? 0 : (left + 999_999) / 1_000_000;
    }

    private static long millisCeil(Duration d) {
        try {
            long ms = d.toMillis();
            return d.minusMillis(ms).isZero() ? ms : ms + 1;
        } catch (ArithmeticException e) {
            return FOREVER_MILLIS;
        }
    }
}
