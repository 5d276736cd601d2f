package dev.gadget4j;

import java.time.Duration;
import java.util.Optional;

/**
 * One queued {@code FUNCTIONFS_DMABUF_TRANSFER}: a DMA fence that signals when the USB request
 * completes.
 *
 * <p>The kernel reports a status per transfer but never the number of bytes an OUT transfer
 * received: a short packet ends the request early and the length is lost. Protocols that need
 * lengths must frame their data.
 *
 * <p>On Linux the status is read from a sync_file exported right after queueing. If the transfer
 * had already completed before the export (the kernel hands out only unsignalled fences), the
 * kernel no longer exposes its error: {@link #status()} then reports success and
 * {@link #statusKnown()} is false.
 */
public interface Transfer extends Completion {

    /** The endpoint the transfer was queued on. */
    Endpoint endpoint();

    /** The buffer. */
    DmaBuf dmaBuf();

    /** The requested length in bytes. */
    long length();

    /** The fence's sequence number (per endpoint, in queue order). */
    long seqno();

    /** Whether the fence has signalled. */
    @Override
    boolean isDone();

    /**
     * Waits up to {@code timeout} ({@code null}: without limit) for completion, without treating a
     * timeout or the transfer's own error as exceptional: true once done ({@link #status()} then
     * says how it ended), false when the timeout passed first. A streaming loop that wakes
     * periodically to check for a stop request uses this instead of {@link #await}.
     */
    default boolean waitFor(Duration timeout) {
        try {
            await(timeout == null ? Duration.ofSeconds(Long.MAX_VALUE) : timeout);
        } catch (GadgetException e) {
            return e.errno() != Errno.ETIMEDOUT || isDone();
        }
        return true;
    }

    /**
     * Waits for completion.
     *
     * @throws GadgetException ETIMEDOUT if the fence did not signal within {@code timeout};
     *                         otherwise the transfer's error (ESHUTDOWN when the endpoint was
     *                         disabled, ECONNRESET when it was cancelled by detach or close, ...)
     */
    void await(Duration timeout);

    /** {@link #await}, then the requested length: the kernel reports no count for a DMABUF transfer. */
    @Override
    default long awaitBytes(Duration timeout) {
        await(timeout);
        return length();
    }

    /** Empty while pending; then the completion error, or empty on success. */
    Optional<Errno> status();

    /** False only when the status could not be observed (see the class comment). */
    boolean statusKnown();
}
