package dev.gadget4j;

import java.lang.foreign.MemorySegment;

/**
 * An open FunctionFS endpoint file ({@code ep1}, {@code ep2}, ... in descriptor order).
 *
 * <p>Classic I/O ({@link #read}, {@link #write}, {@link #submitRead}, {@link #submitWrite}) and
 * the DMABUF interface ({@link #attach}, {@link #transfer}, {@link #detach}) share the endpoint's
 * request queue. Until the host enables the endpoint (ENABLE event), blocking calls sleep and
 * {@link EndpointOption#NON_BLOCKING} ones fail with EAGAIN; a DISABLE completes everything
 * pending with ESHUTDOWN, and the endpoint works again after the next ENABLE.
 *
 * <p>Closing the endpoint cancels the latest pending transfer of each attached DMABUF (its status
 * becomes ECONNRESET) and detaches them all. Closing twice is harmless.
 *
 * <p>{@link #submitRead}, {@link #submitWrite} and {@link #transfer} return a new handle on every
 * call (a few dozen bytes), which the caller may keep and share as long as it likes. Code that
 * must not allocate per request uses the library's streams ({@link dev.gadget4j.stream.InStream},
 * {@link dev.gadget4j.stream.OutStream}), which own their handles and have the backend refill them.
 */
public interface Endpoint extends AutoCloseable {

    /** The endpoint file number: 1 for {@code ep1}. */
    int number();

    /** The endpoint file, e.g. {@code /dev/ffs-stream/ep1} (or {@code ep1} in the simulator). */
    String path();

    /** Whether this is an IN endpoint (device to host). */
    boolean isIn();

    /**
     * Blocking read of one request into {@code dst} (OUT endpoints). Returns when a short packet
     * or the buffer's end ends the request.
     *
     * @return bytes received; 0 for a zero-length packet
     * @throws GadgetException ESHUTDOWN if the endpoint is disabled meanwhile, EAGAIN when
     *                         non-blocking and not enabled, EBADMSG... see the class comment
     */
    int read(MemorySegment dst);

    /**
     * Blocking write of {@code src} as one request (IN endpoints); a length that is not a multiple
     * of the packet size ends with a short packet, a zero-length segment sends a zero-length packet.
     *
     * @return bytes sent
     */
    int write(MemorySegment src);

    /** Queues a read of {@code dst}; the segment must stay valid until the request completes. */
    IoRequest submitRead(MemorySegment dst);

    /** Queues a write of {@code src}; the segment must stay valid until the request completes. */
    IoRequest submitWrite(MemorySegment src);

    /**
     * Stalls the endpoint (FunctionFS does this for I/O in the wrong direction). The host sees
     * EPIPE until it clears the halt or {@link #clearHalt()} is called.
     */
    void halt();

    /** {@code FUNCTIONFS_CLEAR_HALT}. */
    void clearHalt();

    /** {@code FUNCTIONFS_FIFO_STATUS}: bytes in the controller's FIFO (EOPNOTSUPP on UDCs without one). */
    int fifoStatus();

    /** {@code FUNCTIONFS_FIFO_FLUSH}. */
    void fifoFlush();

    /**
     * {@code FUNCTIONFS_ENDPOINT_REVMAP}: meant to be the endpoint number the UDC assigned, but
     * Linux 6.12 returns {@code ffs_ep.num}, which it initialises to -1 and never sets: the answer
     * is 255 (seen on 6.12.117; the simulator does the same). Read the UDC's address from
     * {@link #descriptor()} instead.
     */
    int revmap();

    /** {@code FUNCTIONFS_ENDPOINT_DESC}: the endpoint descriptor for the current speed, as raw bytes. */
    byte[] descriptor();

    /**
     * {@code FUNCTIONFS_DMABUF_ATTACH}. Needs a bound gadget whose UDC supports scatter-gather
     * (EPERM otherwise). Attaching the same buffer twice creates two attachments.
     */
    void attach(DmaBuf buf);

    /**
     * {@code FUNCTIONFS_DMABUF_DETACH}: cancels the latest pending transfer of the buffer on this
     * endpoint (ECONNRESET) and drops the attachment. EPERM if it is not attached.
     */
    void detach(DmaBuf buf);

    /**
     * {@code FUNCTIONFS_DMABUF_TRANSFER}: queues {@code length} bytes of {@code buf} and returns
     * once queued. The checks run in the kernel's order: EINVAL for a length of 0 or beyond the
     * buffer, EPERM when not attached, EAGAIN/sleep when not enabled, then the reservation wait
     * (an IN transfer waits for pending OUT transfers into the buffer, an OUT transfer for every
     * pending transfer) for at most 5 s before EBUSY (at once when non-blocking).
     */
    Transfer transfer(DmaBuf buf, long length);

    /** Whether {@link #close()} has been called. */
    boolean isClosed();

    @Override
    void close();
}
