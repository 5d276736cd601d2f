package dev.gadget4j.sim;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.IoRequest;
import dev.gadget4j.Transfer;
import dev.gadget4j.jfr.GadgetEvents;
import dev.gadget4j.internal.EndpointChecks;
import dev.gadget4j.internal.EndpointErrors;
import dev.gadget4j.internal.RecyclingEndpoint;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * An open endpoint file of a simulated FunctionFS instance. The library's streams queue through
 * {@link RecyclingEndpoint}, refilling their completed handles; the public calls return a new
 * handle each.
 */
final class SimEndpoint implements Endpoint, RecyclingEndpoint {
    /** FunctionFS's DMABUF_ENQUEUE_TIMEOUT_MS. */
    static final long ENQUEUE_TIMEOUT_NANOS = 5_000_000_000L;

    private final SimFunctionFs ffs;
    private final Bus bus;
    final EpFile ep;
    private final boolean nonBlocking;
    /** AIO requests not known to be complete (lock held). */
    private final List<Request> asyncRequests = new ArrayList<>();
    private boolean closed;

    SimEndpoint(SimFunctionFs ffs, EpFile ep, boolean nonBlocking) {
        this.ffs = ffs;
        this.bus = ffs.bus;
        this.ep = ep;
        this.nonBlocking = nonBlocking;
    }

    @Override
    public int number() {
        return ep.spec.fileNumber();
    }

    @Override
    public String path() {
        return ep.path;
    }

    @Override
    public boolean isIn() {
        return ep.in();
    }

    private void checkOpen(String operation) {
        EndpointChecks.open(closed, operation, ep.path);
    }

    /**
     * Lock held: queues a request of the first {@code length} bytes of {@code segment}, in
     * {@code spent} when that is a completed gadget-side request of this file, else in a new one.
     */
    private Request submit(String operation, String path, MemorySegment segment, long length, boolean wantIn,
                           IoRequest spent) {
        EndpointChecks.io(closed, ep.in(), wantIn, operation, ep.path, segment);
        Objects.checkFromIndexSize(0, length, segment.byteSize());
        waitEnabled(operation);
        Request r = spent instanceof Request old && old.spentOn(ep, false)
                ? old.refill(operation, path, segment, length, false)
                : new Request(bus, ep, false, operation, path, segment, length, false);
        ep.queueGadget(r);
        return r;
    }

    @Override
    public int read(MemorySegment dst) {
        return bus.locked(() -> submit("read", GadgetEvents.CLASSIC, dst, dst.byteSize(), false, null).awaitUninterruptibly(this));
    }

    @Override
    public int write(MemorySegment src) {
        return bus.locked(() -> submit("write", GadgetEvents.CLASSIC, src, src.byteSize(), true, null).awaitUninterruptibly(this));
    }

    @Override
    public IoRequest submitRead(MemorySegment dst) {
        return submitAsync(Objects.requireNonNull(dst, "dst"), dst.byteSize(), false, null);
    }

    @Override
    public IoRequest submitWrite(MemorySegment src) {
        return submitAsync(Objects.requireNonNull(src, "src"), src.byteSize(), true, null);
    }

    @Override
    public IoRequest submit(MemorySegment buffer, long length, IoRequest spent) {
        return submitAsync(buffer, length, ep.in(), spent);
    }

    /**
     * An AIO request lives in this file's AIO context, which closing the file destroys. No lambda
     * and no removeIf: a stream's steady state allocates nothing here.
     */
    private Request submitAsync(MemorySegment segment, long length, boolean write, IoRequest spent) {
        bus.lock.lock();
        try {
            // Completed ones leave first: a spent request about to be refilled is among them.
            for (int i = asyncRequests.size() - 1; i >= 0; i--) {
                if (asyncRequests.get(i).complete) {
                    asyncRequests.remove(i);
                }
            }
            Request r = submit(write ? "io_submit (write)" : "io_submit (read)", GadgetEvents.AIO, segment, length, write,
                    spent);
            asyncRequests.add(r);
            return r;
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public void halt() {
        bus.lock.lock();
        try {
            checkOpen("halt");
            waitEnabled("halt");
            // dummy_hcd refuses to halt an IN endpoint with queued requests, and f_fs.c returns
            // the UDC's answer.
            if (ep.in() && ep.hasQueuedIn()) {
                throw new GadgetException("halt", ep.path, Errno.EAGAIN, EndpointErrors.haltRefused(nonBlocking));
            }
            ep.setHalt(true);
        } finally {
            bus.lock.unlock();
        }
    }

    /** FunctionFS's non-DMABUF ioctls wait for the endpoint to be enabled, then check it did not change. */
    private void enabledIoctl(String operation) {
        checkOpen(operation);
        waitEnabled(operation);
    }

    /**
     * ffs_epfile_wait_ep: sleeps until enabled, or EAGAIN when non-blocking; closing this file
     * wakes the sleeper with EBADF, as the Linux backend's close does. Lock held.
     */
    private void waitEnabled(String operation) {
        while (!ep.enabled) {
            if (nonBlocking) {
                throw new GadgetException(operation, ep.path, Errno.EAGAIN, EndpointErrors.NOT_ENABLED);
            }
            bus.await(Long.MAX_VALUE, operation, ep.path);
            checkNotClosedWhileWaiting(operation);
        }
    }

    /** After a wait: EBADF when this file was closed meanwhile. Lock held. */
    void checkNotClosedWhileWaiting(String operation) {
        if (closed) {
            throw EndpointErrors.closedWhileWaiting(operation, ep.path);
        }
    }

    @Override
    public void clearHalt() {
        bus.lock.lock();
        try {
            enabledIoctl("FUNCTIONFS_CLEAR_HALT");
            ep.setHalt(false);
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public int fifoStatus() {
        bus.lock.lock();
        try {
            enabledIoctl("FUNCTIONFS_FIFO_STATUS");
            // dummy_hcd has no FIFO status.
            throw new GadgetException("FUNCTIONFS_FIFO_STATUS", ep.path, Errno.EOPNOTSUPP, EndpointErrors.ioctl(Errno.EOPNOTSUPP));
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public void fifoFlush() {
        bus.locked(() -> enabledIoctl("FUNCTIONFS_FIFO_FLUSH"));
    }

    @Override
    public int revmap() {
        bus.lock.lock();
        try {
            enabledIoctl("FUNCTIONFS_ENDPOINT_REVMAP");
            // f_fs.c returns ffs_ep.num, which 6.12 initialises to -1 (a u8) and never sets.
            return 0xff;
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public byte[] descriptor() {
        bus.lock.lock();
        try {
            enabledIoctl("FUNCTIONFS_ENDPOINT_DESC");
            return ffs.endpointDescriptor(ep);
        } finally {
            bus.lock.unlock();
        }
    }

    /** The simulated DMABUF behind {@code buf}, as dma_buf_get() would resolve its fd. */
    private SimDmaBuf resolve(DmaBuf buf, String operation) {
        return EndpointChecks.resolve(buf, buf instanceof SimDmaBuf s && ffs.backend.owns(s) ? s : null, operation, ep.path);
    }

    /** gadget4j never issues TRANSFER or DETACH on an unbound function: 6.12 dereferences a NULL gadget there. */
    private void checkBound(String operation) {
        if (!ffs.gadgetBound() && ffs.wasBound()) {
            throw EndpointErrors.unbound(operation, ep.path);
        }
    }

    @Override
    public void attach(DmaBuf buf) {
        bus.lock.lock();
        try {
            checkOpen(EndpointErrors.ATTACH);
            if (!ffs.gadgetBound() || !ffs.backend.scatterGather()) {
                throw EndpointErrors.attachRefused(ep.path, ffs.gadgetBound(), null);
            }
            SimDmaBuf sim = resolve(buf, EndpointErrors.ATTACH);
            sim.retain();
            ep.attachments.add(0, new Attachment(sim, ffs.backend.nextFenceContext()));
        } finally {
            bus.lock.unlock();
        }
    }

    @Override
    public void detach(DmaBuf buf) {
        bus.lock.lock();
        try {
            checkOpen(EndpointErrors.DETACH);
            checkBound(EndpointErrors.DETACH);
            SimDmaBuf sim = resolve(buf, EndpointErrors.DETACH);
            for (Iterator<Attachment> it = ep.attachments.iterator(); it.hasNext();) {
                Attachment a = it.next();
                if (a.buf == sim) {
                    drop(a);
                    it.remove();
                    return;
                }
            }
            throw EndpointErrors.notAttached(EndpointErrors.DETACH, ep.path, buf.fd(), null);
        } finally {
            bus.lock.unlock();
        }
    }

    /** Cancels the attachment's latest transfer and drops its reference, as ffs_dmabuf_detach does. */
    private void drop(Attachment a) {
        if (a.latest != null) {
            ep.dequeue(a.latest, Errno.ECONNRESET);
        }
        a.buf.release();
    }

    @Override
    public Transfer transfer(DmaBuf buf, long length) {
        return transfer(buf, length, null);
    }

    @Override
    public Transfer transfer(DmaBuf buf, long length, Transfer spent) {
        String op = EndpointErrors.TRANSFER;
        bus.lock.lock();
        try {
            checkOpen(op);
            checkBound(op);
            SimDmaBuf sim = resolve(buf, op);
            Attachment att = null;
            for (int i = 0, n = ep.attachments.size(); i < n; i++) {
                if (ep.attachments.get(i).buf == sim) {
                    att = ep.attachments.get(i);
                    break;
                }
            }
            // Checked before the kernel's own checks, as on Linux, where it precedes the ioctl.
            EndpointChecks.noTransferPending(att != null && att.latest != null, ep.path, sim.fd());
            if (length <= 0 || length > sim.size()) {
                throw failed(Errno.EINVAL, sim, length);
            }
            if (att == null) {
                throw failed(Errno.EPERM, sim, length);
            }
            boolean out = !ep.in();
            long deadline = 0;
            boolean waiting = false;
            while (true) {
                if (!ep.enabled) {
                    waitEnabled(op);
                    waiting = false;
                }
                if (!sim.busyFor(out)) {
                    break;
                }
                if (nonBlocking) {
                    throw failed(Errno.EBUSY, sim, length);
                }
                if (!waiting) {
                    deadline = bus.clock.nanoTime() + ENQUEUE_TIMEOUT_NANOS;
                    waiting = true;
                }
                // A disable while this call waits for the buffer sends it back to waiting for
                // ENABLE (then the buffer again, as long as before): the Linux backend does this
                // wait itself before the ioctl, which then finds the endpoint disabled. The
                // kernel's ESHUTDOWN for a disable during its own reservation wait is out of reach.
                if (!bus.await(deadline, op, ep.path)) {
                    throw failed(Errno.EBUSY, sim, length);
                }
                checkNotClosedWhileWaiting(op);
            }
            DmaXfer x = spent instanceof DmaXfer old && old.spentFor(this, att) ? old.refill(length, ++ep.seqno)
                    : new DmaXfer(bus, this, att, length, new Fence(att.context, ++ep.seqno, out));
            sim.addFence(x.fence);
            sim.retain();
            att.latest = x;
            ep.queueGadget(x);
            return x;
        } finally {
            bus.lock.unlock();
        }
    }

    private GadgetException failed(Errno errno, SimDmaBuf buf, long length) {
        return EndpointErrors.transfer(errno, ep.path, buf.fd(), length, buf.size(), ep.in(), nonBlocking, null);
    }

    /** ffs_epfile_release: cancel and drop every attachment of the file. Lock held. */
    void releaseAttachments() {
        for (Attachment a : ep.attachments) {
            drop(a);
        }
        ep.attachments.clear();
    }

    @Override
    public boolean isClosed() {
        return bus.locked(() -> closed);
    }

    @Override
    public void close() {
        bus.locked(() -> {
            if (!closed) {
                closed = true;
                // io_destroy cancels what is still queued: FunctionFS dequeues it (ECONNRESET).
                for (Request r : asyncRequests) {
                    ep.dequeue(r, Errno.ECONNRESET);
                }
                asyncRequests.clear();
                releaseAttachments();
                ffs.closed(this);
                bus.signal();
            }
        });
    }
}
