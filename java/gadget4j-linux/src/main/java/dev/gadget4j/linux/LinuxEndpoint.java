package dev.gadget4j.linux;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.IoRequest;
import dev.gadget4j.Transfer;
import dev.gadget4j.internal.EndpointChecks;
import dev.gadget4j.internal.EndpointErrors;
import dev.gadget4j.internal.RecyclingEndpoint;
import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.FunctionFsAbi;
import dev.gadget4j.linux.sys.Ioctl;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Objects;

/**
 * An open FunctionFS endpoint file. Classic I/O uses read()/write() and Linux AIO; DMABUFs use
 * the FunctionFS DMABUF ioctls through {@link EndpointDmaBufs}, which owns the attachments,
 * transfers and fence bookkeeping. The library's streams queue through {@link RecyclingEndpoint},
 * refilling their spent handles; {@link #transfer}, {@link #submitRead} and {@link #submitWrite}
 * return a new handle per call, which the caller may keep as long as it likes.
 */
final class LinuxEndpoint implements Endpoint, RecyclingEndpoint {
    private final LinuxFunctionFs ffs;
    private final int number;
    private final String path;
    private final boolean in;
    private final boolean nonBlocking;
    private final Fd file;
    private final BlockedCalls blocked;
    private final ClassicIo io;
    private final AioQueue aio;
    private final EndpointDmaBufs dmabufs;
    private volatile boolean closed;

    private LinuxEndpoint(LinuxFunctionFs ffs, int number, String path, boolean in, boolean nonBlocking, Fd file) {
        this.ffs = ffs;
        this.number = number;
        this.path = path;
        this.in = in;
        this.nonBlocking = nonBlocking;
        this.file = file;
        this.blocked = new BlockedCalls(path);
        this.io = new ClassicIo(file, path, blocked, true);
        this.aio = new AioQueue(file, path, blocked);
        this.dmabufs = new EndpointDmaBufs(this, ffs, path, in, nonBlocking, file, blocked, ffs.seqnoCounter(number));
    }

    static LinuxEndpoint open(LinuxFunctionFs ffs, int number, String path, boolean in, boolean nonBlocking) {
        Fd fd = Fd.open(path, Constants.O_RDWR | (nonBlocking ? Constants.O_NONBLOCK : 0));
        return new LinuxEndpoint(ffs, number, path, in, nonBlocking, fd);
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
        EndpointChecks.open(closed, operation, path);
    }

    /** What every classic I/O call checks before the kernel sees it: segment, open, direction. */
    private void checkIo(String operation, MemorySegment s, boolean wantIn) {
        EndpointChecks.io(closed, in, wantIn, operation, path, s);
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
        return submitAio(dst, false, Objects.requireNonNull(dst, "dst").byteSize(), null);
    }

    @Override
    public IoRequest submitWrite(MemorySegment src) {
        return submitAio(src, true, Objects.requireNonNull(src, "src").byteSize(), null);
    }

    @Override
    public IoRequest submit(MemorySegment buffer, long length, IoRequest spent) {
        return submitAio(buffer, in, length, spent);
    }

    /** AIO of the first {@code length} bytes of {@code s}: a write when {@code write}, else a read. */
    private IoRequest submitAio(MemorySegment s, boolean write, long length, IoRequest spent) {
        checkIo(write ? "io_submit (write)" : "io_submit (read)", s, write);
        Objects.checkFromIndexSize(0, length, s.byteSize());
        return aio.submit(s, length, !write, spent);
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
                    ? EndpointErrors.haltRefused(nonBlocking) : EndpointErrors.ioctl(e.errno()), e);
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
        String why = EndpointErrors.ioctl(e.errno());
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

    @Override
    public void attach(DmaBuf buf) {
        checkOpen("FUNCTIONFS_DMABUF_ATTACH");
        FunctionFsDmaBufSupport.require("FUNCTIONFS_DMABUF_ATTACH", path);
        dmabufs.attach(buf);
    }

    @Override
    public void detach(DmaBuf buf) {
        checkOpen("FUNCTIONFS_DMABUF_DETACH");
        FunctionFsDmaBufSupport.require("FUNCTIONFS_DMABUF_DETACH", path);
        dmabufs.detach(buf);
    }

    @Override
    public Transfer transfer(DmaBuf buf, long length) {
        return transfer(buf, length, null);
    }

    @Override
    public Transfer transfer(DmaBuf buf, long length, Transfer spent) {
        checkOpen("FUNCTIONFS_DMABUF_TRANSFER");
        FunctionFsDmaBufSupport.require("FUNCTIONFS_DMABUF_TRANSFER", path);
        return dmabufs.transfer(buf, length, spent);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /**
     * Cancels AIO, then lets the DMABUF side settle and close every sync_file that may hold this
     * endpoint's fences and close the file: the kernel cancels each attachment's latest transfer
     * and drops them all.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        // Threads asleep in read, write, io_submit or TRANSFER (until ENABLE, the host, a
        // reservation) leave first.
        blocked.shutDown();
        // AIO first: io_destroy may wait for the UDC to give requests back.
        RuntimeException aioFailure = null;
        try {
            aio.close();
        } catch (RuntimeException e) {
            aioFailure = e;
        }
        try {
            dmabufs.close();
        } finally {
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
