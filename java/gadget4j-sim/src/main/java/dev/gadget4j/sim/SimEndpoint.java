package dev.gadget4j.sim;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.IoRequest;
import dev.gadget4j.Transfer;
import dev.gadget4j.jfr.GadgetEvents;
import java.lang.foreign.MemorySegment;
import java.util.Iterator;
import java.util.Objects;

/** An open endpoint file of a simulated FunctionFS instance. */
final class SimEndpoint implements Endpoint {
    /** FunctionFS's DMABUF_ENQUEUE_TIMEOUT_MS. */
    static final long ENQUEUE_TIMEOUT_NANOS = 5_000_000_000L;

    private final SimFunctionFs ffs;
    private final Bus bus;
    final EpFile ep;
    private final boolean nonBlocking;
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
        if (closed) {
            throw new GadgetException(operation, ep.path, Errno.EBADF, "the endpoint file is closed");
        }
    }

    private void checkDirection(String operation, boolean wantIn) {
        if (ep.in() != wantIn) {
            throw new GadgetException(operation, ep.path, Errno.EINVAL, ep.path + " is an " + (ep.in() ? "IN" : "OUT")
                    + " endpoint; FunctionFS would halt it for I/O in this direction (use halt() for that)");
        }
    }

    private Request submit(String operation, String path, MemorySegment segment, boolean wantIn) {
        Objects.requireNonNull(segment, "segment");
        if (segment.byteSize() > Integer.MAX_VALUE) {
            throw new GadgetException(operation, ep.path, Errno.EINVAL, "a request holds at most 2 GiB - 1");
        }
        if (!wantIn && segment.isReadOnly()) {
            throw new IllegalArgumentException("read into a read-only segment");
        }
        checkOpen(operation);
        checkDirection(operation, wantIn);
        ep.waitEnabled(nonBlocking, operation);
        checkOpen(operation);
        Request r = new Request(bus, ep, false, operation, path, segment, false);
        ep.queueGadget(r);
        return r;
    }

    @Override
    public int read(MemorySegment dst) {
        return bus.locked(() -> submit("read", GadgetEvents.CLASSIC, dst, false).awaitUninterruptibly());
    }

    @Override
    public int write(MemorySegment src) {
        return bus.locked(() -> submit("write", GadgetEvents.CLASSIC, src, true).awaitUninterruptibly());
    }

    @Override
    public IoRequest submitRead(MemorySegment dst) {
        return bus.locked(() -> submit("io_submit (read)", GadgetEvents.AIO, dst, false));
    }

    @Override
    public IoRequest submitWrite(MemorySegment src) {
        return bus.locked(() -> submit("io_submit (write)", GadgetEvents.AIO, src, true));
    }

    @Override
    public void halt() {
        bus.lock.lock();
        try {
            checkOpen("halt");
            ep.waitEnabled(nonBlocking, "halt");
            if (ep.in() && ep.hasQueuedIn()) {
                throw new GadgetException("halt", ep.path, Errno.EAGAIN, "IN requests are still queued");
            }
            ep.setHalt(true);
        } finally {
            bus.lock.unlock();
        }
    }

    /** FunctionFS's non-DMABUF ioctls wait for the endpoint to be enabled, then check it did not change. */
    private void enabledIoctl(String operation) {
        checkOpen(operation);
        ep.waitEnabled(nonBlocking, operation);
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
            throw new GadgetException("FUNCTIONFS_FIFO_STATUS", ep.path, Errno.EOPNOTSUPP,
                    "the UDC has no FIFO status (as dummy_hcd)");
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
        Objects.requireNonNull(buf, "buf");
        if (!(buf instanceof SimDmaBuf sim) || !ffs.backend.owns(sim)) {
            throw new GadgetException(operation, ep.path, Errno.EBADF,
                    "DMABUF fd " + buf.fd() + " does not belong to this backend");
        }
        if (buf.isClosed()) {
            throw new GadgetException(operation, ep.path, Errno.EBADF, "DMABUF fd " + buf.fd() + " is closed");
        }
        return sim;
    }

    /** gadget4j never issues TRANSFER or DETACH on an unbound function: 6.12 dereferences a NULL gadget there. */
    private void checkBound(String operation) {
        if (!ffs.gadgetBound() && ffs.wasBound()) {
            throw new GadgetException(operation, ep.path, Errno.ENODEV,
                    "the function is unbound from its UDC; close the endpoint to drop its DMABUFs");
        }
    }

    @Override
    public void attach(DmaBuf buf) {
        bus.lock.lock();
        try {
            checkOpen("FUNCTIONFS_DMABUF_ATTACH");
            if (!ffs.gadgetBound() || !ffs.backend.scatterGather()) {
                throw new GadgetException("FUNCTIONFS_DMABUF_ATTACH", ep.path, Errno.EPERM,
                        !ffs.gadgetBound() ? "the function is not bound to a UDC yet (attach after bind)"
                                : "the UDC does not support scatter-gather");
            }
            SimDmaBuf sim = resolve(buf, "FUNCTIONFS_DMABUF_ATTACH");
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
            checkOpen("FUNCTIONFS_DMABUF_DETACH");
            checkBound("FUNCTIONFS_DMABUF_DETACH");
            SimDmaBuf sim = resolve(buf, "FUNCTIONFS_DMABUF_DETACH");
            for (Iterator<Attachment> it = ep.attachments.iterator(); it.hasNext();) {
                Attachment a = it.next();
                if (a.buf == sim) {
                    drop(a);
                    it.remove();
                    return;
                }
            }
            throw new GadgetException("FUNCTIONFS_DMABUF_DETACH", ep.path, Errno.EPERM,
                    "DMABUF fd " + buf.fd() + " is not attached to this endpoint");
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
        String op = "FUNCTIONFS_DMABUF_TRANSFER";
        bus.lock.lock();
        try {
            checkOpen(op);
            checkBound(op);
            SimDmaBuf sim = resolve(buf, op);
            if (length <= 0 || length > sim.size()) {
                throw new GadgetException(op, ep.path, Errno.EINVAL,
                        "length " + length + " is not within 1.." + sim.size() + " (the DMABUF's size)");
            }
            Attachment att = null;
            for (Attachment a : ep.attachments) {
                if (a.buf == sim) {
                    att = a;
                    break;
                }
            }
            if (att == null) {
                throw new GadgetException(op, ep.path, Errno.EPERM,
                        "DMABUF fd " + buf.fd() + " is not attached to this endpoint");
            }
            ep.waitEnabled(nonBlocking, op);
            boolean out = !ep.in();
            if (sim.busyFor(out)) {
                if (nonBlocking) {
                    throw new GadgetException(op, ep.path, Errno.EBUSY, busyWhy(sim, out) + " (non-blocking)");
                }
                long deadline = bus.clock.nanoTime() + ENQUEUE_TIMEOUT_NANOS;
                while (sim.busyFor(out)) {
                    if (!bus.await(deadline, op, ep.path)) {
                        throw new GadgetException(op, ep.path, Errno.EBUSY, busyWhy(sim, out) + " after 5000 ms");
                    }
                }
            }
            // Like f_fs.c, which compares the ffs_ep pointer: a disable followed by a re-enable
            // while this call slept leaves the same endpoint, and the transfer goes ahead.
            if (!ep.enabled || closed) {
                throw new GadgetException(op, ep.path, Errno.ESHUTDOWN, "the endpoint was disabled meanwhile");
            }
            Fence fence = new Fence(att.context, ++ep.seqno, out);
            sim.addFence(fence);
            DmaXfer x = new DmaXfer(bus, this, att, length, fence);
            sim.retain();
            att.latest = x;
            ep.queueGadget(x);
            return x;
        } finally {
            bus.lock.unlock();
        }
    }

    private static String busyWhy(SimDmaBuf buf, boolean out) {
        return "DMABUF fd " + buf.fd() + (out ? " still has transfers in flight" : " still has OUT transfers in flight");
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
                releaseAttachments();
                ffs.closed(this);
                bus.signal();
            }
        });
    }
}
