package dev.gadget4j.sim;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.Transfer;
import dev.gadget4j.internal.DeadlineCompletion;
import dev.gadget4j.jfr.GadgetEvents;
import java.time.Duration;
import java.util.Optional;

/**
 * A DMABUF transfer: a USB request whose completion signals its fence. Once it has completed,
 * its endpoint may refill it (and its fence, of the same context) for the next transfer of the
 * same attachment, when the caller hands it back ({@link dev.gadget4j.internal.RecyclingEndpoint}).
 */
final class DmaXfer extends Xfer implements Transfer, DeadlineCompletion {
    private final Bus bus;
    private final SimEndpoint endpoint;
    private final Attachment attachment;
    final Fence fence;
    private long started = GadgetEvents.start();

    DmaXfer(Bus bus, SimEndpoint endpoint, Attachment attachment, long length, Fence fence) {
        super(attachment.buf.memory(), length, false);
        this.bus = bus;
        this.endpoint = endpoint;
        this.attachment = attachment;
        this.fence = fence;
    }

    /** Lock held: whether it may stand for a new transfer of {@code att} on {@code ep} (see the class comment). */
    boolean spentFor(SimEndpoint ep, Attachment att) {
        return endpoint == ep && attachment == att && complete && fence.signaled;
    }

    /** Lock held: this object as a new transfer of {@code length} bytes with fence {@code seqno}. */
    DmaXfer refill(long length, long seqno) {
        reset(attachment.buf.memory(), length, false);
        fence.renew(seqno);
        started = GadgetEvents.start();
        return this;
    }

    @Override
    void onComplete() {
        fence.signaled = true;
        fence.error = status;
        if (attachment.latest == this) {
            attachment.latest = null;
        }
        attachment.buf.release();
        GadgetEvents.transfer(endpoint.path(), GadgetEvents.DMABUF, endpoint.isIn(), length, status, started);
        bus.signal();
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public DmaBuf dmaBuf() {
        return attachment.buf;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public long seqno() {
        return fence.seqno;
    }

    @Override
    public boolean isDone() {
        return bus.locked(() -> fence.signaled);
    }

    @Override
    public void await(Duration timeout) {
        awaitUntil(bus.deadline(timeout), timeout);
    }

    @Override
    public long awaitBytesUntil(long deadlineNanos, long nowNanos) {
        bus.lock.lock();
        try {
            if (!signalledBy(bus.deadlineFromSystem(deadlineNanos))) {
                return TIMED_OUT;
            }
            throwIfFailed();
            return length;
        } finally {
            bus.lock.unlock();
        }
    }

    private void awaitUntil(long deadline, Duration timeout) {
        bus.lock.lock();
        try {
            if (!signalledBy(deadline)) {
                throw new GadgetException("wait (DMABUF fence)", endpoint.path(), Errno.ETIMEDOUT,
                        "transfer #" + fence.seqno + " of DMABUF fd " + attachment.buf.fd() + " not complete after "
                                + timeout);
            }
            throwIfFailed();
        } finally {
            bus.lock.unlock();
        }
    }

    /** Lock held: waits for the fence until {@code deadline}; whether it signalled. */
    private boolean signalledBy(long deadline) {
        while (!fence.signaled) {
            if (!bus.await(deadline, "wait (DMABUF fence)", endpoint.path())) {
                return fence.signaled;
            }
        }
        return true;
    }

    /** Lock held, fence signalled. */
    private void throwIfFailed() {
        if (fence.error != null) {
            throw new GadgetException("FUNCTIONFS_DMABUF_TRANSFER", endpoint.path(), fence.error,
                    "transfer #" + fence.seqno + " of DMABUF fd " + attachment.buf.fd() + " completed with "
                            + fence.error.name());
        }
    }

    @Override
    public Optional<Errno> status() {
        return bus.locked(() -> fence.signaled ? Optional.ofNullable(fence.error) : Optional.empty());
    }

    @Override
    public boolean statusKnown() {
        return true;
    }
}
