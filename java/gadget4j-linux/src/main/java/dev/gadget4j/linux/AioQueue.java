package dev.gadget4j.linux;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import dev.gadget4j.IoRequest;
import dev.gadget4j.internal.DeadlineCompletion;
import dev.gadget4j.jfr.GadgetEvents;
import dev.gadget4j.linux.sys.Aio;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.IoAbi;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;

/**
 * Linux AIO on one endpoint file: an io context created on first use, requests submitted with
 * {@code io_submit}, completions reaped by whichever thread awaits (no reaper thread: one waiter
 * at a time runs {@code io_getevents} and completes every request it reaps, the others wait on a
 * monitor in short slices), cancellation with {@code io_cancel} (FunctionFS dequeues the USB
 * request, which completes with ECONNRESET). The slots and the requests' results are guarded by
 * a {@link LockWord} ({@code slotLock}), the reaping right is another: a streamed request takes
 * each once (submit, then the reap of its completion), one compare-and-set and one release store
 * apiece, and the monitor only when a waiter sleeps on it.
 *
 * <p>Everything the kernel sees is allocated once with the context: {@value #DEPTH} slots, each an
 * iocb, a pointer cell naming it (io_submit's {@code struct iocb **}) and, for heap segments, a
 * bounce buffer grown on demand; one io_event array and timespec for the reaper, one io_event for
 * io_cancel. A request is its slot's index ({@code aio_data}); a successful submit and reap
 * allocate only the {@link IoRequest} handed to the caller, and nothing when the caller hands a
 * finished one back to be refilled (the library's streams do). Each completion is reported to a
 * running JFR recording ({@link GadgetEvents#transfer}; one flag test while none runs). A slot is reused only after its
 * request was reaped, and {@link Request#cancel()} calls io_cancel under the slot lock, so it never
 * names a slot that was handed to a newer request.
 *
 * <p>Native segments are used in place and must stay valid until the request completes.
 */
final class AioQueue {
    private static final int DEPTH = 128;
    private static final int EINTR = Errno.EINTR.number();
    /** How long close() waits for cancelled requests to come back before io_destroy. */
    private static final long CLOSE_DRAIN_NANOS = 1_000_000_000L;

    private final Fd file;
    private final String path;
    private final BlockedCalls blocked;
    private final LockWord reaping = new LockWord();
    /** Where waiters that do not hold the reaping right sleep. */
    private final ReapMonitor monitor = new ReapMonitor();
    private final Waits.Reap reaper = this::reapLocked;
    /** Guards the slots, every request's fields until it is done, the context's set-up and {@code closed}. */
    private final LockWord slotLock = new LockWord();
    private final RequestSlots<Request> slots = new RequestSlots<>(DEPTH);
    /**
     * Set under the slot lock with the context, last (its volatile write publishes the segments
     * below to a reaper that reads it without the lock), never changed afterwards.
     */
    private volatile Aio aio;
    private Arena arena;
    private MemorySegment[] iocbs;
    private MemorySegment[] cells;
    /** The reaper's (reaping held). */
    private MemorySegment events;
    private MemorySegment timespec;
    /** io_cancel's result (slot lock held). */
    private MemorySegment cancelResult;
    private boolean closed;

    AioQueue(Fd file, String path, BlockedCalls blocked) {
        this.file = file;
        this.path = path;
        this.blocked = blocked;
    }

    /**
     * One asynchronous read or write. The library's streams hand a finished one back to
     * {@link #submit} for their next request ({@link dev.gadget4j.internal.RecyclingEndpoint}),
     * which refills it: every field is (re)set under the slot lock before the kernel sees the slot.
     */
    final class Request implements IoRequest, Waits.Completion, DeadlineCompletion {
        private static final VarHandle DONE;

        static {
            try {
                DONE = MethodHandles.lookup().findVarHandle(Request.class, "done", boolean.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private boolean read;
        private MemorySegment user;
        private long length;
        private int slot;
        private MemorySegment kernelBuffer;
        /** Written under the slot lock, last in {@link #complete}, with release semantics: see {@link Waits.Completion}. */
        private volatile boolean done;
        private long result;
        private Errno error;
        private String note;
        /** {@link GadgetEvents#start()} at submission: 0 unless a running recording enables the transfer event. */
        private long started;
        /** False for a request the kernel refused: its end is the exception, not a transfer event. */
        private boolean queued;

        /** Slot lock held: a new request of {@code length} bytes of {@code user}, not yet in a slot. */
        private Request fill(boolean read, MemorySegment user, long length) {
            this.read = read;
            this.user = user;
            this.length = length;
            this.slot = -1;
            this.kernelBuffer = null;
            DONE.set(this, false); // plain: the lock's release publishes it; no barrier per request
            this.result = 0;
            this.error = null;
            this.note = null;
            this.started = GadgetEvents.start();
            this.queued = true;
            return this;
        }

        /** Slot lock held: ends a request the kernel never took. */
        private void refused(long res) {
            queued = false;
            complete(res, null);
        }

        /** Slot lock held: whether {@link #submit} may refill it (this queue's, and reaped). */
        private boolean spentIn(AioQueue queue) {
            return queue == AioQueue.this && done;
        }

        /** Slot lock held: the slot it was given and the memory the kernel moves data to or from. */
        private MemorySegment place(int slot, MemorySegment kernelBuffer) {
            this.slot = slot;
            this.kernelBuffer = kernelBuffer;
            return kernelBuffer;
        }

        @Override
        public boolean completed() {
            return done;
        }

        /**
         * Slot lock held: records the result and gives the slot back. DONE is a release store, so
         * a waiter that reads it reads the result; one that began to sleep on the monitor just
         * before it wakes at the end of its slice if this wake-up missed it (see {@link ReapMonitor}).
         */
        private void complete(long res, String why) {
            if (done) {
                return;
            }
            if (res < 0) {
                error = Waits.errno((int) -res);
                note = why;
            } else {
                result = res;
                if (read && kernelBuffer != user) {
                    MemorySegment.copy(kernelBuffer, 0, user, 0, res);
                }
            }
            DONE.setRelease(this, true);
            if (slot >= 0) {
                slots.release(slot);
            }
            monitor.wakeWaiters();
            if (queued) {
                GadgetEvents.transfer(path, GadgetEvents.AIO, !read, result, error, started);
            }
        }

        @Override
        public boolean isDone() {
            return Waits.reapedNow(reaping, monitor, this, reaper);
        }

        @Override
        public int await(Duration timeout) {
            long now = System.nanoTime();
            if (!reapedBy(now + Waits.nanos(timeout), now)) {
                throw new GadgetException("io_getevents", path, Errno.ETIMEDOUT, (read ? "read" : "write") + " of "
                        + length + " bytes not complete after " + timeout);
            }
            return bytesOrFailure();
        }

        @Override
        public long awaitBytesUntil(long deadlineNanos, long nowNanos) {
            return reapedBy(deadlineNanos, nowNanos) ? bytesOrFailure() : TIMED_OUT;
        }

        private boolean reapedBy(long deadline, long now) {
            return Waits.awaitReaped(reaping, monitor, this, deadline, now, reaper, "io_getevents", path);
        }

        /** Done: the bytes moved, or its failure as the exception. */
        private int bytesOrFailure() {
            if (error != null) {
                throw new GadgetException(read ? "read (aio)" : "write (aio)", path, error,
                        note != null ? note : (read ? "read" : "write") + " of " + length + " bytes completed with "
                                + error.name());
            }
            return (int) result;
        }

        @Override
        public boolean cancel() {
            // Under the slot lock, so that the slot cannot be reaped and reused meanwhile; not
            // with the reaping right, which a waiter may hold in io_getevents for a long timeout. A
            // request that completed but was not reaped yet is unknown to io_cancel (EINVAL: false).
            slotLock.lock();
            try {
                if (done) {
                    return false;
                }
                return cancelLocked(slot);
            } finally {
                slotLock.unlock();
            }
        }
    }

    /** Slot lock held, context set. */
    private boolean cancelLocked(int slot) {
        try {
            return aio.cancel(iocbs[slot], cancelResult);
        } catch (GadgetException e) {
            return false;
        }
    }

    /** Slot lock held: the io context and the slots, on first use. */
    private void setUpLocked() {
        Aio context = Aio.setup(DEPTH, "aio(" + path + ")");
        Arena a = Arena.ofShared();
        long iocbSize = IoAbi.Iocb.LAYOUT.byteSize();
        MemorySegment iocbArray = a.allocate(iocbSize * DEPTH, 8);
        MemorySegment cellArray = a.allocate(ValueLayout.ADDRESS, DEPTH);
        iocbs = new MemorySegment[DEPTH];
        cells = new MemorySegment[DEPTH];
        for (int i = 0; i < DEPTH; i++) {
            iocbs[i] = iocbArray.asSlice(i * iocbSize, iocbSize);
            cells[i] = cellArray.asSlice(i * ValueLayout.ADDRESS.byteSize(), ValueLayout.ADDRESS);
            cells[i].set(ValueLayout.ADDRESS, 0, iocbs[i]);
        }
        events = a.allocate(IoAbi.IoEvent.LAYOUT, DEPTH);
        timespec = a.allocate(IoAbi.Timespec.LAYOUT);
        cancelResult = a.allocate(IoAbi.IoEvent.LAYOUT);
        arena = a;
        aio = context;
    }

    /**
     * Queues a read into (or a write of) the first {@code length} bytes of {@code segment}, in
     * {@code spent} when that is a finished request of this queue (see {@link Request}), else in
     * a new one.
     */
    Request submit(MemorySegment segment, long length, boolean read, IoRequest spent) {
        String op = read ? "io_submit (read)" : "io_submit (write)";
        int call = blocked.enter(op);
        try {
            Request r;
            slotLock.lock();
            try {
                if (closed) {
                    throw new GadgetException(op, path, Errno.EBADF, "the endpoint file is closed");
                }
                if (aio == null) {
                    setUpLocked();
                }
                r = (spent instanceof Request old && old.spentIn(this) ? old : new Request()).fill(read, segment, length);
                int slot = slots.take(r);
                if (slot < 0) {
                    r.refused(-Errno.EAGAIN.number());
                    throw new GadgetException(op, path, Errno.EAGAIN, DEPTH + " requests are in flight on this endpoint");
                }
                MemorySegment kernel = r.place(slot, segment.isNative() ? segment : slots.bounce(slot, length));
                if (!read && kernel != segment) {
                    MemorySegment.copy(segment, 0, kernel, 0, length);
                }
                try {
                    Aio.prep(iocbs[slot], read, file, kernel, length, 0, slot);
                } catch (GadgetException e) {
                    r.refused(-e.errno().number());
                    throw e;
                }
            } finally {
                slotLock.unlock();
            }
            // Outside the lock: io_submit on a FunctionFS endpoint sleeps until it is enabled
            // (closing the endpoint wakes it: the request then completes with EINTR).
            long rc;
            do {
                rc = aio.submitOnce(cells[r.slot]);
            } while (rc == -EINTR && !blocked.isShutDown());
            if (rc < 0) {
                Errno e = Waits.errno((int) -rc);
                slotLock.lock();
                try {
                    r.refused(rc);
                } finally {
                    slotLock.unlock();
                }
                if (e == Errno.EINTR) {
                    throw blocked.closedError(op);
                }
                throw new GadgetException(op, path, e, detail(e));
            }
            return r;
        } finally {
            blocked.leave(call);
        }
    }

    private static String detail(Errno e) {
        return switch (e) {
            case EAGAIN -> "the endpoint is not enabled (non-blocking), or the AIO context is full";
            case ESHUTDOWN -> "the endpoint was disabled";
            default -> null;
        };
    }

    /**
     * Reaping right held, and a request of the caller's not completed: so the context is set and
     * not destroyed (close completes every request before it gives the right back), and
     * io_getevents has something to wait for.
     */
    private void reapLocked(long nanos) {
        int n;
        try {
            n = aio.getEvents(nanos == 0 ? 0 : 1, events, nanos, timespec);
        } catch (GadgetException e) {
            if (e.errno() == Errno.EBADF) {
                return;
            }
            throw e;
        }
        if (n <= 0) {
            return;
        }
        slotLock.lock();
        try {
            for (int i = 0; i < n; i++) {
                long res = IoAbi.IoEvent.res(events, i);
                Request r = slots.at(IoAbi.IoEvent.data(events, i));
                if (r == null) {
                    continue;
                }
                if (res == -EINTR && blocked.isShutDown()) {
                    // io_submit woken by close: aio.c reports the signal as the request's result.
                    r.complete(-Errno.EBADF.number(), "the endpoint was closed while this request waited for ENABLE");
                } else {
                    r.complete(res, null);
                }
            }
        } finally {
            slotLock.unlock();
        }
    }

    /**
     * Cancels what is pending, collects the completions for up to a second, then destroys the
     * context (io_destroy waits for the rest); requests not reaped by then report ECONNRESET.
     */
    void close() {
        slotLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (aio == null) {
                return;
            }
            for (int i = 0; i < DEPTH; i++) {
                if (slots.at(i) != null) {
                    cancelLocked(i);
                }
            }
        } finally {
            slotLock.unlock();
        }
        reaping.lock();
        try {
            long deadline = System.nanoTime() + CLOSE_DRAIN_NANOS;
            while (System.nanoTime() < deadline) {
                if (pending() == 0) {
                    break;
                }
                reapLocked(Math.max(1, deadline - System.nanoTime())); // a cancelled request is pending
            }
            aio.close();
            slotLock.lock();
            try {
                for (int i = 0; i < DEPTH; i++) {
                    Request r = slots.at(i);
                    if (r != null) {
                        r.complete(-Errno.ECONNRESET.number(), "cancelled: the endpoint file was closed");
                    }
                }
                arena.close(); // io_destroy has waited for every request: no iocb is in use
            } finally {
                slotLock.unlock();
            }
        } finally {
            reaping.unlock();
        }
    }

    private int pending() {
        slotLock.lock();
        try {
            return slots.pending();
        } finally {
            slotLock.unlock();
        }
    }
}
