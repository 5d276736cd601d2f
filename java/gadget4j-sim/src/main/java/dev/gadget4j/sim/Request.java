package dev.gadget4j.sim;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.IoRequest;
import dev.gadget4j.internal.DeadlineCompletion;
import dev.gadget4j.jfr.GadgetEvents;
import java.lang.foreign.MemorySegment;
import java.time.Duration;

/**
 * A classic request (gadget side: read/write/AIO on an endpoint file) or a URB (host side), as an
 * {@link IoRequest}. A completed one may be refilled by its owner for its next request on the same
 * endpoint ({@link #refill}), when the caller is done with it.
 */
final class Request extends Xfer implements IoRequest, DeadlineCompletion {
    private final Bus bus;
    private final EpFile ep;
    private final boolean hostSide;
    private String operation;
    /** The gadget-side path for the transfer event ({@link GadgetEvents#CLASSIC} or {@code AIO}); null for URBs. */
    private String path;
    private long started = GadgetEvents.start();
    /** The host side's name for the endpoint, made once. */
    private String object;

    Request(Bus bus, EpFile ep, boolean hostSide, String operation, String path, MemorySegment segment, long length,
            boolean zeroPacket) {
        super(segment, length, zeroPacket);
        this.bus = bus;
        this.ep = ep;
        this.hostSide = hostSide;
        this.operation = operation;
        this.path = path;
    }

    /** Lock held: whether it may stand for a new request of the same side on {@code file}. */
    boolean spentOn(EpFile file, boolean host) {
        return ep == file && hostSide == host && complete;
    }

    /** Lock held: this object as a new request (see {@link #spentOn}). */
    Request refill(String operation, String path, MemorySegment segment, long length, boolean zeroPacket) {
        reset(segment, length, zeroPacket);
        this.operation = operation;
        this.path = path;
        started = GadgetEvents.start();
        object = null;
        return this;
    }

    String object() {
        if (!hostSide) {
            return ep.path;
        }
        if (object == null) {
            object = String.format("endpoint 0x%02x", ep.udcAddress);
        }
        return object;
    }

    @Override
    void onComplete() {
        if (path != null) {
            GadgetEvents.transfer(ep.path, path, ep.in(), done, status, started);
        }
        bus.signal();
    }

    @Override
    public boolean isDone() {
        return bus.locked(() -> complete);
    }

    @Override
    public int await(Duration timeout) {
        return awaitUntil(bus.deadline(timeout), timeout);
    }

    @Override
    public long awaitBytesUntil(long deadlineNanos, long nowNanos) {
        bus.lock.lock();
        try {
            return completeBy(bus.deadlineFromSystem(deadlineNanos)) ? result() : TIMED_OUT;
        } finally {
            bus.lock.unlock();
        }
    }

    private int awaitUntil(long deadline, Duration timeout) {
        bus.lock.lock();
        try {
            if (!completeBy(deadline)) {
                throw new GadgetException(operation, object(), Errno.ETIMEDOUT,
                        "not complete after " + timeout + " (" + done + " of " + length + " bytes)");
            }
            return result();
        } finally {
            bus.lock.unlock();
        }
    }

    /** Lock held: waits for the request's completion until {@code deadline}; whether it completed. */
    private boolean completeBy(long deadline) {
        while (!complete) {
            if (!bus.await(deadline, operation, object())) {
                return complete;
            }
        }
        return true;
    }

    /**
     * Waits without a deadline for a blocking read() or write() on {@code file}; an interrupt
     * cancels the request, as a signal does, and so does closing the file (EBADF).
     */
    int awaitUninterruptibly(SimEndpoint file) {
        bus.lock.lock();
        try {
            while (!complete) {
                try {
                    bus.await(Long.MAX_VALUE, operation, object());
                    if (!complete) {
                        file.checkNotClosedWhileWaiting(operation);
                    }
                } catch (GadgetException e) {
                    ep.dequeue(this, hostSide ? Errno.ENOENT : Errno.ECONNRESET);
                    throw e;
                }
            }
            return result();
        } finally {
            bus.lock.unlock();
        }
    }

    private int result() {
        if (status != null) {
            throw new GadgetException(operation, object(), status, describe(status));
        }
        return (int) done;
    }

    private String describe(Errno e) {
        return switch (e) {
            case ESHUTDOWN -> "the endpoint was disabled (" + done + " of " + length + " bytes done)";
            case ECONNRESET, ENOENT -> "cancelled";
            case EOVERFLOW -> "the other side sent more than the " + length + "-byte buffer holds";
            case EPIPE -> "the endpoint is halted";
            case EPROTO -> "the gadget's endpoint is not enabled";
            default -> null;
        };
    }

    @Override
    public boolean cancel() {
        return bus.locked(() -> ep.dequeue(this, hostSide ? Errno.ENOENT : Errno.ECONNRESET));
    }
}
