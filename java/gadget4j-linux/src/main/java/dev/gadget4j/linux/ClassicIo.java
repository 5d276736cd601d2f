package dev.gadget4j.linux;

import dev.gadget4j.GadgetException;
import dev.gadget4j.jfr.GadgetEvents;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Blocking read() and write() on one endpoint file: native segments are handed to the kernel in
 * place; heap segments go through a bounce buffer the endpoint allocates once and grows rarely (a
 * second thread that finds it in use takes a buffer of its own for that call). A call blocked in
 * the kernel is woken by {@link #shutDown()} and fails with EBADF. A successful call allocates
 * nothing.
 */
final class ClassicIo {
    private static final int EINTR = dev.gadget4j.Errno.EINTR.number();
    private static final long MIN_BOUNCE = 4096;

    private final Fd file;
    private final String path;
    private final BlockedCalls calls;
    /** False for ep0: its reads and writes are events, descriptors and SETUP answers, not transfers. */
    private final boolean transferEvents;
    private final ReentrantLock bounceLock = new ReentrantLock();
    /** Guarded by bounceLock; freed by the GC with this object (no arena to close under a reader). */
    private MemorySegment bounce = MemorySegment.NULL;

    ClassicIo(Fd file, String path, BlockedCalls calls, boolean transferEvents) {
        this.file = file;
        this.path = path;
        this.calls = calls;
        this.transferEvents = transferEvents;
    }

    int read(MemorySegment dst) {
        if (dst.isNative()) {
            return (int) transfer(true, dst, dst.byteSize());
        }
        long size = dst.byteSize();
        if (!bounceLock.tryLock()) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment own = arena.allocate(Math.max(1, size)).asSlice(0, size);
                int n = (int) transfer(true, own, size);
                MemorySegment.copy(own, 0, dst, 0, n);
                return n;
            }
        }
        try {
            MemorySegment b = bounce(size);
            int n = (int) transfer(true, b, size);
            MemorySegment.copy(b, 0, dst, 0, n);
            return n;
        } finally {
            bounceLock.unlock();
        }
    }

    int write(MemorySegment src) {
        if (src.isNative()) {
            return (int) transfer(false, src, src.byteSize());
        }
        long size = src.byteSize();
        if (!bounceLock.tryLock()) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment own = arena.allocate(Math.max(1, size)).asSlice(0, size);
                MemorySegment.copy(src, 0, own, 0, size);
                return (int) transfer(false, own, size);
            }
        }
        try {
            MemorySegment b = bounce(size);
            MemorySegment.copy(src, 0, b, 0, size);
            return (int) transfer(false, b, size);
        } finally {
            bounceLock.unlock();
        }
    }

    /**
     * bounceLock held: the bounce buffer, at least {@code size} bytes, grown to a power of two when
     * short (whole, not sliced: the length goes to the call separately, so no segment is made per call).
     */
    private MemorySegment bounce(long size) {
        if (bounce.byteSize() < size) {
            long capacity = Math.max(MIN_BOUNCE, Long.highestOneBit(Math.max(1, size - 1)) << 1);
            bounce = Arena.ofAuto().allocate(capacity, 8);
        }
        return bounce;
    }

    /**
     * One read or write, retried after a stray signal, failed with EBADF after {@link #shutDown()};
     * an endpoint's is reported to a running JFR recording (one flag test while none runs).
     */
    private long transfer(boolean read, MemorySegment buf, long length) {
        if (!transferEvents) {
            return transferOnce(read, buf, length);
        }
        long started = GadgetEvents.start();
        try {
            long n = transferOnce(read, buf, length);
            GadgetEvents.transfer(path, GadgetEvents.CLASSIC, !read, n, null, started);
            return n;
        } catch (GadgetException e) {
            GadgetEvents.transfer(path, GadgetEvents.CLASSIC, !read, 0, e.errno(), started);
            throw e;
        }
    }

    private long transferOnce(boolean read, MemorySegment buf, long length) {
        String op = read ? "read" : "write";
        if (!file.tryAcquire()) {
            throw file.closedError(op);
        }
        try {
            int slot = calls.enter(op);
            try {
                while (true) {
                    long r = read ? Libc.readOnce(file.number(), buf, length)
                            : Libc.writeOnce(file.number(), buf, length);
                    if (r >= 0) {
                        return r;
                    }
                    if (r != -EINTR) {
                        throw Libc.error(op, path, (int) -r, null);
                    }
                    if (calls.isShutDown()) {
                        throw calls.closedError(op);
                    }
                }
            } finally {
                calls.leave(slot);
            }
        } finally {
            file.release();
        }
    }
}
