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
    /** What {@link #poll(Fd, int, WakeFd, Duration, BooleanSupplier)} returns when only its wake-up fd is readable. */
    public static final int WOKEN = -2;
    private static final BooleanSupplier NEVER = () -> false;
    private static final long POLL_MAX_MILLIS = Integer.MAX_VALUE;
    /** Beyond this (about 146 years) a deadline in nanoTime units would overflow: wait forever. */
    private static final long FOREVER_MILLIS = Long.MAX_VALUE / 2_000_000L;

    private Poll() {
    }

    /** Waits for {@code events} on one fd: the returned events, 0 on timeout. */
    public static int poll(Fd fd, int events, long timeoutMillis) {
        return poll(fd, events, null, timeoutMillis, NEVER);
    }

    /**
     * {@link #poll(Fd, int, long)} that a signal can end: when the wait is interrupted and
     * {@code stop} then holds, returns {@link #STOPPED} instead of waiting on. With a
     * {@code wake} fd, polled beside {@code fd}, returns {@link #WOKEN} when only that one is
     * readable (the caller drains it).
     */
    private static int poll(Fd fd, int events, WakeFd wake, long timeoutMillis, BooleanSupplier stop) {
        if (!fd.tryAcquire()) {
            throw fd.closedError("poll");
        }
        try {
            if (wake != null && !wake.fd().tryAcquire()) {
                return WOKEN; // closed with its owner, whose waiters are to leave
            }
            try {
                return pollAcquired(fd, events, wake, timeoutMillis, stop);
            } finally {
                if (wake != null) {
                    wake.fd().release();
                }
            }
        } finally {
            fd.release();
        }
    }

    private static int pollAcquired(Fd fd, int events, WakeFd wake, long timeoutMillis, BooleanSupplier stop) {
        FenceScratch s = FenceScratch.current();
        int nfds = wake == null ? 1 : 2;
        boolean forever = timeoutMillis < 0 || timeoutMillis >= FOREVER_MILLIS;
        long deadline = forever ? 0 : System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            int wait = forever ? -1 : (int) Math.min(POLL_MAX_MILLIS, remainingMillis(deadline));
            s.pollFd(0, fd.number(), events);
            if (wake != null) {
                s.pollFd(1, wake.fd().number(), Constants.POLLIN);
            }
            int ready = Libc.pollOnce(s.pollFds(), nfds, wait, fd.name());
            if (ready > 0) {
                return s.revents(0) != 0 || wake == null ? s.revents(0) : WOKEN;
            }
            if (ready < 0 && stop.getAsBoolean()) {
                return STOPPED;
            }
            if (ready == 0 && !forever && remainingMillis(deadline) == 0) {
                return 0;
            }
        }
    }

    /** {@link #poll(Fd, int, long)} with a {@link Duration}; null waits forever. */
    public static int poll(Fd fd, int events, Duration timeout) {
        return poll(fd, events, null, timeout, NEVER);
    }

    /**
     * {@link #poll(Fd, int, Duration)} that ends with {@link #STOPPED} when interrupted while
     * {@code stop} holds, and, with a {@code wake} fd (may be null), with {@link #WOKEN} when only
     * that one is readable.
     */
    public static int poll(Fd fd, int events, WakeFd wake, Duration timeout, BooleanSupplier stop) {
        return poll(fd, events, wake, timeout == null ? -1 : Math.max(0, millisCeil(timeout)), stop);
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
