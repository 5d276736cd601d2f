package dev.gadget4j.linux;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.IoRequest;
import dev.gadget4j.Transfer;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.FunctionFsAbi;
import dev.gadget4j.linux.sys.Ioctl;
import dev.gadget4j.linux.sys.Libc;
import dev.gadget4j.linux.sys.SyncFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An open FunctionFS endpoint file. Classic I/O uses read()/write() and Linux AIO; DMABUFs use
 * the FunctionFS DMABUF ioctls, with two protections for kernels without gadget4j's fixes:
 * TRANSFER and DETACH are never issued on an unbound function (ENODEV from the library, see
 * {@link LinuxFunctionFs#enterDmaBufIoctl}), and the sync_files of this endpoint's transfers are
 * closed before DETACH and before the endpoint file is closed, whatever thread closes what (see
 * {@link FenceGuard} and {@link LinuxTransfer} for what a transfer reports afterwards).
 *
 * <p>The library mirrors the kernel's attachment list (newest first, as {@code list_add} keeps
 * it; TRANSFER and DETACH use the newest attachment of a buffer) to know which transfer a DETACH
 * cancels.
 */
final class LinuxEndpoint implements Endpoint {
    /** More live sync_files than this on one endpoint: settle finished ones when queueing. */
    private static final int TIDY_THRESHOLD = 16;

    /** One FUNCTIONFS_DMABUF_ATTACH. Fields guarded by the guard (write side for changes). */
    static final class Attachment {
        final LinuxDmaBuf buf;
        volatile LinuxTransfer latest;
        volatile boolean dropped;

        Attachment(LinuxDmaBuf buf) {
            this.buf = buf;
        }
    }

    private final LinuxFunctionFs ffs;
    private final int number;
    private final String path;
    private final boolean in;
    private final boolean nonBlocking;
    private final Fd file;
    private final BlockedCalls blocked;
    private final ClassicIo io;
    private final AioQueue aio;
    private final FenceGuard guard;
    private final AtomicLong seqno;
    /** Newest first; guarded by itself. */
    private final List<Attachment> attachments = new ArrayList<>();
    /** Transfers whose sync_file is open; guarded by itself. */
    private final Set<LinuxTransfer> live = new LinkedHashSet<>();
    /** Set under the guard's write side: no sync_file may be exported for this endpoint any more. */
    private volatile boolean closing;
    private volatile boolean closed;

    private LinuxEndpoint(LinuxFunctionFs ffs, int number, String path, boolean in, boolean nonBlocking, Fd file) {
        this.ffs = ffs;
        this.number = number;
        this.path = path;
        this.in = in;
        this.nonBlocking = nonBlocking;
        this.file = file;
        this.blocked = new BlockedCalls(path);
        this.io = new ClassicIo(file, path, blocked);
        this.aio = new AioQueue(file, path, blocked);
        this.guard = ffs.gadget().backend().dmaBufs().guard();
        this.seqno = ffs.seqnoCounter(number);
    }

    static LinuxEndpoint open(LinuxFunctionFs ffs, int number, String path, boolean in, boolean nonBlocking) {
        Fd fd = Fd.open(path, Constants.O_RDWR | (nonBlocking ? Constants.O_NONBLOCK : 0));
        return new LinuxEndpoint(ffs, number, path, in, nonBlocking, fd);
    }

    /** The threads blocked in this endpoint's calls, woken by close (for every blocking ioctl on the file). */
    BlockedCalls blockedCalls() {
        return blocked;
    }

    @Override
    public int number() {
        return number;
    }

    @Override
    public String path() {
        return path;
    }

    @Override
    public boolean isIn() {
        return in;
    }

    private void checkOpen(String operation) {
        if (closed) {
            throw new GadgetException(operation, path, Errno.EBADF, "the endpoint file is closed");
        }
    }

    private void checkDirection(String operation, boolean wantIn) {
        if (in != wantIn) {
            throw new GadgetException(operation, path, Errno.EINVAL, path + " is an " + (in ? "IN" : "OUT")
                    + " endpoint; FunctionFS would halt it for I/O in this direction (use halt() for that)");
        }
    }

    /** What every classic I/O call checks before the kernel sees it: open, direction, size. */
    private void checkIo(String operation, MemorySegment s, boolean wantIn) {
        checkOpen(operation);
        checkDirection(operation, wantIn);
        checkSize(operation, path, s);
    }

    private static void checkSize(String operation, String path, MemorySegment s) {
        if (s.byteSize() > Integer.MAX_VALUE) {
            throw new GadgetException(operation, path, Errno.EINVAL, "a request holds at most 2 GiB - 1");
        }
    }

    // ---- classic I/O ----

    @Override
    public int read(MemorySegment dst) {
        Objects.requireNonNull(dst, "dst");
        checkIo("read", dst, false);
        return io.read(dst);
    }

    @Override
    public int write(MemorySegment src) {
        Objects.requireNonNull(src, "src");
        checkIo("write", src, true);
        return io.write(src);
    }

    @Override
    public IoRequest submitRead(MemorySegment dst) {
        Objects.requireNonNull(dst, "dst");
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read into a read-only segment");
        }
        checkIo("io_submit (read)", dst, false);
        return aio.submit(dst, true);
    }

    @Override
    public IoRequest submitWrite(MemorySegment src) {
        Objects.requireNonNull(src, "src");
        checkIo("io_submit (write)", src, true);
        return aio.submit(src, false);
    }

    @Override
    public void halt() {
        checkOpen("halt");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment empty = arena.allocate(1).asSlice(0, 0);
            // I/O against the endpoint's direction makes ffs_epfile_io() set the halt and return EBADMSG.
            if (in) {
                file.read(empty);
            } else {
                file.write(empty);
            }
        } catch (GadgetException e) {
            if (e.errno() == Errno.EBADMSG) {
                return;
            }
            throw new GadgetException("halt", path, e.errno(), e.errno() == Errno.EAGAIN
                    ? "the endpoint is not enabled (non-blocking)" : null, e);
        }
        throw new GadgetException("halt", path, Errno.EIO, "FunctionFS did not halt the endpoint (no EBADMSG)");
    }

    @Override
    public void clearHalt() {
        checkOpen("FUNCTIONFS_CLEAR_HALT");
        plainIoctl(Ioctl.FUNCTIONFS_CLEAR_HALT);
    }

    @Override
    public int fifoStatus() {
        checkOpen("FUNCTIONFS_FIFO_STATUS");
        return plainIoctl(Ioctl.FUNCTIONFS_FIFO_STATUS);
    }

    @Override
    public void fifoFlush() {
        checkOpen("FUNCTIONFS_FIFO_FLUSH");
        plainIoctl(Ioctl.FUNCTIONFS_FIFO_FLUSH);
    }

    @Override
    public int revmap() {
        checkOpen("FUNCTIONFS_ENDPOINT_REVMAP");
        return plainIoctl(Ioctl.FUNCTIONFS_ENDPOINT_REVMAP);
    }

    private int plainIoctl(long request) {
        try {
            return file.ioctl(request, 0L);
        } catch (GadgetException e) {
            throw explained(e, Ioctl.name(request));
        }
    }

    private GadgetException explained(GadgetException e, String operation) {
        String why = switch (e.errno()) {
            case EAGAIN -> "the endpoint is not enabled (non-blocking)";
            case ESHUTDOWN -> "the endpoint was disabled meanwhile";
            case EOPNOTSUPP -> "the UDC does not implement it";
            case ENODEV -> "the FunctionFS instance is not active";
            default -> null;
        };
        return why == null ? e : new GadgetException(operation, path, e.errno(), why, e);
    }

    @Override
    public byte[] descriptor() {
        checkOpen("FUNCTIONFS_ENDPOINT_DESC");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment d = arena.allocate(FunctionFsAbi.EndpointDescriptor.LAYOUT);
            try {
                file.ioctl(Ioctl.FUNCTIONFS_ENDPOINT_DESC, d);
            } catch (GadgetException e) {
                throw explained(e, "FUNCTIONFS_ENDPOINT_DESC");
            }
            int len = Byte.toUnsignedInt((byte) FunctionFsAbi.EndpointDescriptor.B_LENGTH.get(d));
            len = Math.min(len == 0 ? 7 : len, (int) d.byteSize());
            return d.asSlice(0, len).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    // ---- DMABUF ----

    /** The backend's own, open DmaBuf behind {@code buf}, as dma_buf_get() would resolve its fd. */
    private LinuxDmaBuf resolve(DmaBuf buf, String operation) {
        Objects.requireNonNull(buf, "buf");
        if (!(buf instanceof LinuxDmaBuf l) || l.allocator() != ffs.gadget().backend().dmaBufs()) {
            throw new GadgetException(operation, path, Errno.EBADF,
                    "DMABUF fd " + buf.fd() + " does not belong to this backend");
        }
        if (l.isClosed()) {
            throw new GadgetException(operation, path, Errno.EBADF, "DMABUF fd " + buf.fd() + " is closed");
        }
        return l;
    }

    /** Runs an ioctl whose int argument is the DMABUF's fd, the DMABUF acquired meanwhile. */
    private void fdIoctl(long request, LinuxDmaBuf buf) {
        Fd dmabuf = buf.fdHandle();
        dmabuf.acquire(Ioctl.name(request));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment arg = arena.allocate(ValueLayout.JAVA_INT);
            arg.set(ValueLayout.JAVA_INT, 0, dmabuf.number());
            file.ioctl(request, arg);
        } finally {
            dmabuf.release();
        }
    }

    @Override
    public void attach(DmaBuf buf) {
        String op = "FUNCTIONFS_DMABUF_ATTACH";
        checkOpen(op);
        LinuxDmaBuf l = resolve(buf, op);
        synchronized (attachments) {
            try {
                fdIoctl(Ioctl.FUNCTIONFS_DMABUF_ATTACH, l);
            } catch (GadgetException e) {
                String why = switch (e.errno()) {
                    case ENOTTY -> "FUNCTIONFS_DMABUF_ATTACH is not supported by this kernel (Linux < 6.9)";
                    case EPERM -> "the UDC does not support scatter-gather, or the function is not bound (attach after bind)";
                    case EBUSY -> "the DMABUF's reservation is locked (non-blocking)";
                    case ENODEV -> "the FunctionFS instance is not active";
                    default -> "DMABUF fd " + l.fd();
                };
                throw new GadgetException(op, path, e.errno(), why, e);
            }
            attachments.addFirst(new Attachment(l));
        }
    }

    private Attachment newest(LinuxDmaBuf buf) {
        synchronized (attachments) {
            for (Attachment a : attachments) {
                if (a.buf == buf) {
                    return a;
                }
            }
            return null;
        }
    }

    @Override
    public void detach(DmaBuf buf) {
        String op = "FUNCTIONFS_DMABUF_DETACH";
        checkOpen(op);
        file.acquire(op);
        try {
            ffs.enterDmaBufIoctl(op, path);
            try {
                LinuxDmaBuf l = resolve(buf, op);
                Attachment a = newest(l);
                guard.writeLock();
                try {
                    if (a != null) {
                        settleBeforeDrop(a, "DETACH");
                    }
                    try {
                        fdIoctl(Ioctl.FUNCTIONFS_DMABUF_DETACH, l);
                    } catch (GadgetException e) {
                        throw new GadgetException(op, path, e.errno(), e.errno() == Errno.EPERM
                                ? "DMABUF fd " + l.fd() + " is not attached to this endpoint" : null, e);
                    } finally {
                        if (a != null) {
                            synchronized (attachments) {
                                attachments.remove(a);
                            }
                        }
                    }
                } finally {
                    guard.writeUnlock();
                }
            } finally {
                ffs.leaveDmaBufIoctl();
            }
        } finally {
            file.release();
        }
    }

    /**
     * Guard write side held: settles and closes every sync_file that may hold a fence of
     * {@code a} (this attachment's transfers, and transfers of the same buffer elsewhere whose
     * export may have merged its fences), then marks it dropped.
     */
    private void settleBeforeDrop(Attachment a, String cause) {
        a.dropped = true;
        for (LinuxTransfer t : a.buf.liveTransfers()) {
            if (t.attachment() == a || t.shared()) {
                t.settleBeforeDetach(t == a.latest, cause);
            }
        }
    }

    @Override
    public Transfer transfer(DmaBuf buf, long length) {
        String op = "FUNCTIONFS_DMABUF_TRANSFER";
        checkOpen(op);
        // Held across the ioctl and the export: the kernel cannot release the file (and with it
        // the attachments) in between, even if another thread closes this endpoint.
        file.acquire(op);
        try {
            ffs.enterDmaBufIoctl(op, path);
            try {
                LinuxDmaBuf l = resolve(buf, op);
                Attachment a = newest(l);
                Fd dmabuf = l.fdHandle();
                dmabuf.acquire(op);
                try {
                    queue(l, dmabuf, length);
                    long seq = seqno.incrementAndGet();
                    return track(l, dmabuf, a, length, seq);
                } finally {
                    dmabuf.release();
                }
            } finally {
                ffs.leaveDmaBufIoctl();
            }
        } finally {
            file.release();
        }
    }

    private void queue(LinuxDmaBuf l, Fd dmabuf, long length) {
        String op = "FUNCTIONFS_DMABUF_TRANSFER";
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment req = arena.allocate(FunctionFsAbi.DmabufTransferReq.LAYOUT);
            FunctionFsAbi.DmabufTransferReq.FD.set(req, dmabuf.number());
            FunctionFsAbi.DmabufTransferReq.FLAGS.set(req, 0);
            FunctionFsAbi.DmabufTransferReq.LENGTH.set(req, length);
            Libc.ioctl(file.number(), Ioctl.FUNCTIONFS_DMABUF_TRANSFER, req, path);
        } catch (GadgetException e) {
            String why = switch (e.errno()) {
                case EINVAL -> "length " + length + " is not within 1.." + l.size() + " (the DMABUF's size)";
                case EPERM -> "DMABUF fd " + l.fd() + " is not attached to this endpoint";
                case EAGAIN -> "the endpoint is not enabled (non-blocking)";
                case EBUSY -> "DMABUF fd " + l.fd() + (in ? " still has OUT transfers in flight" : " still has transfers in flight")
                        + (nonBlocking ? " (non-blocking)" : " after 5000 ms");
                case ESHUTDOWN -> "the endpoint was disabled meanwhile";
                case ENOTTY -> "FUNCTIONFS_DMABUF_TRANSFER is not supported by this kernel (Linux < 6.9)";
                default -> null;
            };
            throw new GadgetException(op, path, e.errno(), why, e);
        }
    }

    /** After a successful TRANSFER: the sync_file export, unless the endpoint or attachment is going away. */
    private LinuxTransfer track(LinuxDmaBuf l, Fd dmabuf, Attachment a, long length, long seq) {
        guard.readLock();
        try {
            if (closing) {
                // The file is released after this call returns: the kernel then dequeues this
                // transfer, the newest of its attachment.
                return LinuxTransfer.settled(this, l, length, seq, guard, Errno.ECONNRESET, true,
                        "cancelled: the endpoint was closed while it was being queued");
            }
            if (a == null || a.dropped) {
                return LinuxTransfer.settled(this, l, length, seq, guard, null, false,
                        "its attachment was detached by another thread while it was being queued");
            }
            boolean shared = l.othersInFlight(a);
            Fd sync;
            try {
                sync = SyncFile.export(dmabuf, Constants.DMA_BUF_SYNC_RW);
            } catch (GadgetException e) {
                return LinuxTransfer.settled(this, l, length, seq, guard, null, false,
                        "DMA_BUF_IOCTL_EXPORT_SYNC_FILE failed (" + e.errno() + "): its completion cannot be observed");
            }
            LinuxTransfer t = new LinuxTransfer(this, l, a, length, seq, guard, sync, shared);
            a.latest = t;
            l.transferQueued(t);
            int count;
            synchronized (live) {
                live.add(t);
                count = live.size();
            }
            if (count > TIDY_THRESHOLD) {
                tidy();
            }
            return t;
        } finally {
            guard.readUnlock();
        }
    }

    /** Settles finished transfers nobody asked about, so their sync_files do not pile up. Read side held. */
    private void tidy() {
        List<LinuxTransfer> snapshot;
        synchronized (live) {
            snapshot = new ArrayList<>(live);
        }
        for (LinuxTransfer t : snapshot) {
            t.refresh();
        }
    }

    /** Called by a transfer once settled (its sync_file is closed). */
    void transferSettled(LinuxTransfer t) {
        synchronized (live) {
            live.remove(t);
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Settles and closes every sync_file that may hold this endpoint's fences, cancels AIO, then
     * closes the file: the kernel cancels each attachment's latest transfer and drops them all.
     */
    @Override
    public void close() {
        List<Attachment> drop;
        synchronized (attachments) {
            if (closed) {
                return;
            }
            closed = true;
            drop = new ArrayList<>(attachments);
        }
        // Threads asleep in read, write or io_submit (until ENABLE, or the host) leave first.
        blocked.shutDown();
        // AIO first, outside the guard: io_destroy may wait for the UDC to give requests back.
        RuntimeException aioFailure = null;
        try {
            aio.close();
        } catch (RuntimeException e) {
            aioFailure = e;
        }
        guard.writeLock();
        try {
            closing = true;
            for (Attachment a : drop) {
                settleBeforeDrop(a, "closing " + path);
            }
            List<LinuxTransfer> rest;
            synchronized (live) {
                rest = new ArrayList<>(live);
            }
            for (LinuxTransfer t : rest) {
                t.settleBeforeDetach(false, "closing " + path);
            }
            file.close();
        } finally {
            guard.writeUnlock();
            synchronized (attachments) {
                attachments.clear();
            }
            ffs.endpointClosed(this);
        }
        if (aioFailure != null) {
            throw aioFailure;
        }
    }

    @Override
    public String toString() {
        return path + (closed ? " (closed)" : "");
    }
}
