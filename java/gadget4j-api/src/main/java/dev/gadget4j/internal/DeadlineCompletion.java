package dev.gadget4j.internal;

/**
 * A backend's request handle that the library's streams wait on by deadline: a stream waits for
 * the time left of its caller's timeout at every transfer, and a {@link java.time.Duration} made
 * for each wait would be the steady state's only allocation whenever the JIT does not inline the
 * wait far enough to remove it. The public {@code await}/{@code awaitBytes} of the handles are
 * this with {@code System.nanoTime() + timeout}.
 */
public interface DeadlineCompletion {
    /** {@link #awaitBytesUntil}'s {@code nowNanos} when the caller has no reading of the clock at hand. */
    long NO_READING = Long.MIN_VALUE;

    /**
     * {@link #awaitBytesUntil}'s result when the deadline came before the request completed: a
     * value, not an exception, because a stream that waits with a short timeout on an idle
     * endpoint would otherwise build one, with its stack trace, at every wait.
     */
    long TIMED_OUT = -1;

    /**
     * {@link dev.gadget4j.Completion#awaitBytes} until {@code deadlineNanos}, a
     * {@link System#nanoTime()} value ({@link Long#MAX_VALUE}: no limit), except that the
     * deadline's passing is the result {@link #TIMED_OUT} instead of an ETIMEDOUT exception.
     *
     * <p>{@code nowNanos} is the caller's own reading of that clock, from which it computed the
     * deadline, or {@link #NO_READING}. A handle whose first wait needs the time left takes it
     * from there instead of reading the clock again: a stream then reads the clock once per
     * transfer, not twice (a clock reading costs about a microsecond on an emulated CPU). The
     * first wait then ends late by the time the caller spent between its reading and this call,
     * so callers pass a reading only when nothing between them can wait or run a user's code.
     *
     * @return the bytes transferred, or {@link #TIMED_OUT}
     * @throws dev.gadget4j.GadgetException the request's own failure
     */
    long awaitBytesUntil(long deadlineNanos, long nowNanos);

    /** The time left until {@code deadlineNanos}: from {@code nowNanos}, or by the clock when it is {@link #NO_READING}. */
    static long timeLeft(long deadlineNanos, long nowNanos) {
        return deadlineNanos - (nowNanos != NO_READING ? nowNanos : System.nanoTime());
    }
}
