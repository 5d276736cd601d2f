package dev.gadget4j;

import java.time.Duration;

/**
 * An asynchronous classic read or write on an endpoint (Linux AIO on endpoint files), or a
 * host-side URB.
 */
public interface IoRequest extends Completion {

    /**
     * Waits for completion.
     *
     * @return the number of bytes transferred
     * @throws GadgetException ETIMEDOUT if not complete within {@code timeout} (the request stays
     *                         queued: cancel it or wait again); otherwise the request's error
     *                         (ESHUTDOWN, ECONNRESET when cancelled, EOVERFLOW, EPIPE for a stall)
     */
    int await(Duration timeout);

    @Override
    default long awaitBytes(Duration timeout) {
        return await(timeout);
    }

    /**
     * Cancels the request if it is still pending; it then completes with ECONNRESET (gadget side)
     * or ENOENT (host side, as usbfs reports a discarded URB).
     *
     * @return whether it was still pending
     */
    @Override
    boolean cancel();
}
