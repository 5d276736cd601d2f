package dev.gadget4j.internal;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/** The checks an endpoint file makes before its request reaches FunctionFS. */
public final class EndpointChecks {
    private EndpointChecks() {
    }

    /** EBADF once the endpoint file is closed. */
    public static void open(boolean closed, String operation, String path) {
        if (closed) {
            throw new GadgetException(operation, path, Errno.EBADF, "the endpoint file is closed");
        }
    }

    /** I/O against the endpoint's direction: FunctionFS would halt the endpoint instead (EINVAL here). */
    public static void direction(boolean in, boolean wantIn, String operation, String path) {
        if (in != wantIn) {
            throw new GadgetException(operation, path, Errno.EINVAL, path + " is an " + (in ? "IN" : "OUT")
                    + " endpoint; FunctionFS would halt it for I/O in this direction (use halt() for that)");
        }
    }

    /**
     * Every classic read, write or AIO submission: a segment (writable for reads) of at most
     * 2 GiB - 1, the file open, the right direction.
     */
    public static void io(boolean closed, boolean in, boolean wantIn, String operation, String path, MemorySegment s) {
        Objects.requireNonNull(s, wantIn ? "src" : "dst");
        if (!wantIn && s.isReadOnly()) {
            throw new IllegalArgumentException("read into a read-only segment");
        }
        if (s.byteSize() > Integer.MAX_VALUE) {
            throw new GadgetException(operation, path, Errno.EINVAL, "a request holds at most 2 GiB - 1");
        }
        open(closed, operation, path);
        direction(in, wantIn, operation, path);
    }

    /**
     * The backend's own, open DMABUF behind {@code buf}, as dma_buf_get() resolves an fd:
     * {@code ours} is {@code buf} when the backend recognises it as its own, else null. EBADF for
     * another backend's buffer or a closed one.
     */
    public static <T extends DmaBuf> T resolve(DmaBuf buf, T ours, String operation, String path) {
        Objects.requireNonNull(buf, "buf");
        if (ours == null) {
            throw new GadgetException(operation, path, Errno.EBADF, "DMABUF fd " + buf.fd() + " does not belong to this backend");
        }
        if (ours.isClosed()) {
            throw new GadgetException(operation, path, Errno.EBADF, "DMABUF fd " + buf.fd() + " is closed");
        }
        return ours;
    }

    /**
     * One DMABUF transfer in flight per attachment (endpoint and buffer): EBUSY while an earlier
     * one is pending. FunctionFS keeps no reference of its own to a transfer's fence once the
     * fence is in the buffer's reservation, and a second transfer on the same attachment (the
     * same fence context) replaces the first fence there; the first request then stays queued
     * with a fence that is freed as soon as the last sync_file holding it is closed, and its
     * completion (at the latest when the endpoint is disabled) touches freed memory: Linux 6.12
     * panics in ffs_dmabuf_signal_done.
     */
    public static void noTransferPending(boolean pending, String path, int fd) {
        if (pending) {
            throw new GadgetException(EndpointErrors.TRANSFER, path, Errno.EBUSY, "DMABUF fd " + fd
                    + " already has a transfer pending on this endpoint: one transfer in flight per buffer per endpoint "
                    + "(a second would make FunctionFS free the first one's fence while its request is still queued)");
        }
    }
}
