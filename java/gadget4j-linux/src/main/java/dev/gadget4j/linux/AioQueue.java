package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.IoRequest;
import dev.gadget4j.linux.sys.Aio;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.IoAbi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Linux AIO on one endpoint file: an io context created on first use, requests submitted with
 * {@code io_submit}, completions reaped by whichever thread awaits (no reaper thread: one waiter
 * at a time runs {@code io_getevents} and completes every request it reaps, the others wait on a
 * monitor in short slices), cancellation with {@code io_cancel} (FunctionFS dequeues the USB
 * request, which completes with ECONNRESET).
 *
 * <p>Heap segments go through a native copy (only native memory may be handed to the kernel);
 * native segments are used in place and must stay valid until the request completes.
 *
 * <p>iocbs come from a pool the queue allocates once, not from an arena per request: closing a
 * shared arena costs a handshake with every thread of the JVM, once per request. A slot is reused
 * only after its request was reaped, and {@link Request#cancel()} calls io_cancel under the
 * monitor, so it never names a slot that was handed to a newer request.
 */
final class AioQueue {
    private static final int DEPTH = 128;
    /** How long close() waits for cancelled requests to come back before io_destroy. */
    private static final long CLOSE_DRAIN_NANOS = 1_000_000_000L;

    private final Fd file;
    private final String path;
    private final ReentrantLock reaping = new ReentrantLock();
    private final Object monitor = new Object();
    /** Guarded by monitor. */
    private final Map<Long, Request> pending = new HashMap<>();
    private Aio aio;
    /** The iocb pool, created with the context; guarded by monitor. */
    private Arena iocbArena;
    private final ArrayDeque<MemorySegment> freeIocbs = new ArrayDeque<>();
    private long nextId = 1;
    private boolean closed;

    AioQueue(Fd file, String path) {
        this.file = file;
        this.path = path;
    }

    /** One asynchronous read or write. */
    final class Request implements IoRequest {
        private final long id;
        private final boolean read;
        private final MemorySegment iocb;
        private final MemorySegment kernelBuffer;
        private final MemorySegment user;
        private boolean done;
        private long result;
        private Errno error;
        private String note;

        /** Monitor held; takes {@code iocb} from the pool. */
        private Request(long id, boolean read, MemorySegment user, MemorySegment iocb) {
            this.id = id;
            this.read = read;
            this.user = user;
            this.iocb = iocb;
            if (user.isNative()) {
                kernelBuffer = user;
            } else {
                // Freed by the GC with the request: no arena close (and its handshake) per request.
                kernelBuffer = Arena.ofAuto().allocate(Math.max(1, user.byteSize()), 8).asSlice(0, user.byteSize());
                if (!read) {
                    MemorySegment.copy(user, 0, kernelBuffer, 0, user.byteSize());
                }
            }
        }

        /** Monitor held. */
        private void complete(long res) {
            if (done) {
                return;
            }
            if (res < 0) {
                error = Waits.errno((int) -res);
            } else {
                result = res;
                if (read && kernelBuffer != user) {
                    MemorySegment.copy(kernelBuffer, 0, user, 0, res);
                }
            }
            done = true;
            freeIocbs.push(iocb);
            monitor.notifyAll();
        }

        /** Monitor held. */
        private void abandon(Errno e, String why) {
            if (!done) {
                error = e;
                note = why;
                done = true;
                freeIocbs.push(iocb);
                monitor.notifyAll();
            }
        }

        @Override
        public boolean isDone() {
            return Waits.reapedNow(reaping, monitor, () -> done, AioQueue.this::reapLocked);
        }

        @Override
        public int await(Duration timeout) {
            if (!Waits.awaitReaped(reaping, monitor, () -> done, System.nanoTime() + Waits.nanos(timeout),
                    AioQueue.this::reapLocked, "io_getevents", path)) {
                throw new GadgetException("io_getevents", path, Errno.ETIMEDOUT,
                        (read ? "read" : "write") + " of " + user.byteSize() + " bytes not complete after " + timeout);
            }
            synchronized (monitor) {
                if (error != null) {
                    throw new GadgetException(read ? "read (aio)" : "write (aio)", path, error,
                            note != null ? note : (read ? "read" : "write") + " of " + user.byteSize() + " bytes completed with "
                                    + error.name());
                }
                return (int) result;
            }
        }

        @Override
        public boolean cancel() {
            // Under the monitor, so that the slot cannot be reaped and reused meanwhile; not under
            // the reaping lock, which a waiter may hold in io_getevents for a long timeout. A
            // request that completed but was not reaped yet is unknown to io_cancel (EINVAL: false).
            synchronized (monitor) {
                if (done || aio == null) {
                    return false;
                }
                return cancelIn(aio, iocb);
            }
        }
    }

    private static boolean cancelIn(Aio context, MemorySegment iocb) {
        try (Arena a = Arena.ofConfined()) {
            return context.cancel(iocb, a.allocate(IoAbi.IoEvent.LAYOUT));
        } catch (GadgetException e) {
            return false;
        }
    }

    Request submit(MemorySegment segment, boolean read) {
        Request r;
        synchronized (monitor) {
            if (closed) {
                throw new GadgetException("io_submit", path, Errno.EBADF, "the endpoint file is closed");
            }
            if (aio == null) {
                aio = Aio.setup(DEPTH, "aio(" + path + ")");
                iocbArena = Arena.ofShared();
                for (int i = 0; i < DEPTH; i++) {
                    freeIocbs.push(iocbArena.allocate(IoAbi.Iocb.LAYOUT));
                }
            }
            MemorySegment iocb = freeIocbs.poll();
            if (iocb == null) {
                throw new GadgetException("io_submit", path, Errno.EAGAIN, DEPTH + " requests are in flight on this endpoint");
            }
            r = new Request(nextId++, read, segment, iocb);
            if (read) {
                Aio.prepRead(r.iocb, file, r.kernelBuffer, 0, r.id);
            } else {
                Aio.prepWrite(r.iocb, file, r.kernelBuffer, 0, r.id);
            }
            pending.put(r.id, r);
        }
        try {
            // Outside the monitor: io_submit on a FunctionFS endpoint sleeps until it is enabled.
            aio.submit(r.iocb);
        } catch (GadgetException e) {
            synchronized (monitor) {
                pending.remove(r.id);
                r.abandon(e.errno(), e.getMessage());
            }
            throw new GadgetException(read ? "io_submit (read)" : "io_submit (write)", path, e.errno(), detail(e), e);
        }
        return r;
    }

    private static String detail(GadgetException e) {
        return switch (e.errno()) {
            case EAGAIN -> "the endpoint is not enabled (non-blocking), or the AIO context is full";
            case ESHUTDOWN -> "the endpoint was disabled";
            default -> null;
        };
    }

    /** reaping held. */
    private void reapLocked(long nanos) {
        Aio context;
        synchronized (monitor) {
            context = aio;
            if (context == null || pending.isEmpty()) {
                return;
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            long stride = IoAbi.IoEvent.LAYOUT.byteSize();
            MemorySegment events = arena.allocate(IoAbi.IoEvent.LAYOUT, 16);
            int n = context.getEvents(nanos == 0 ? 0 : 1, events, nanos);
            synchronized (monitor) {
                for (int i = 0; i < n; i++) {
                    MemorySegment ev = events.asSlice(i * stride, stride);
                    long id = (long) IoAbi.IoEvent.DATA.get(ev);
                    long res = (long) IoAbi.IoEvent.RES.get(ev);
                    Request r = pending.remove(id);
                    if (r != null) {
                        r.complete(res);
                    }
                }
            }
        } catch (GadgetException e) {
            if (e.errno() != Errno.EBADF) {
                throw e;
            }
        }
    }

    /**
     * Cancels what is pending, collects the completions for up to a second, then destroys the
     * context (io_destroy waits for the rest); requests not reaped by then report ECONNRESET.
     */
    void close() {
        List<Request> toCancel;
        synchronized (monitor) {
            if (closed) {
                return;
            }
            closed = true;
            toCancel = List.copyOf(pending.values());
        }
        Aio context;
        synchronized (monitor) {
            context = aio;
        }
        if (context == null) {
            return;
        }
        for (Request r : toCancel) {
            cancelIn(context, r.iocb);
        }
        reaping.lock();
        try {
            long deadline = System.nanoTime() + CLOSE_DRAIN_NANOS;
            while (System.nanoTime() < deadline) {
                synchronized (monitor) {
                    if (pending.isEmpty()) {
                        break;
                    }
                }
                reapLocked(Math.max(1, deadline - System.nanoTime()));
            }
            context.close();
            synchronized (monitor) {
                for (Request r : pending.values()) {
                    r.abandon(Errno.ECONNRESET, "cancelled: the endpoint file was closed");
                }
                pending.clear();
                freeIocbs.clear();
                iocbArena.close(); // io_destroy has waited for every request: no iocb is in use
            }
        } finally {
            reaping.unlock();
        }
    }


}
