package dev.gadget4j.internal;

/**
 * A backend's request handle that the library's streams wait on by deadline: a stream waits for
 * the time left of its caller's timeout at every transfer, and a {@link java.time.Duration} made
 * for each wait would be the steady state's only allocation whenever the JIT does not inline the
 * wait far enough to remove it. The public {@code await}/{@code awaitBytes} of the handles are
 * this with {@code System.nanoTime() + timeout}.
 */
public interface DeadlineCompletion {

    /**
     * {@link dev.gadget4j.Completion#awaitBytes} until {@code deadlineNanos}, a
     * {@link System#nanoTime()} value ({@link Long#MAX_VALUE}: no limit).
     */
    long awaitBytesUntil(long deadlineNanos);
}
