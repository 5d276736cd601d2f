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
}
