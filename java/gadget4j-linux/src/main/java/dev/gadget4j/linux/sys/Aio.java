package dev.gadget4j.linux.sys;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A Linux native AIO context ({@code io_setup}), the asynchronous classic I/O that FunctionFS
 * endpoint files support (and regular files, for tests).
 *
 * <p>iocbs and buffers are native segments the caller keeps alive until their completion has been
 * reaped; the fds named in iocbs must stay open until then too. {@link #close()} is
 * {@code io_destroy}, which cancels what it can and waits for the rest, so memory may be freed
 * after it returns. Syscall numbers come from {@link Arch}.
 */
public final class Aio extends OwnedHandle {
    private static final int EINTR = Errno.EINTR.number();
    private static final int EINPROGRESS = Errno.EINPROGRESS.number();
    private static final int EINVAL = Errno.EINVAL.number();
    private static final int EAGAIN = Errno.EAGAIN.number();
    private static final long FOREVER_NANOS = Long.MAX_VALUE / 2;

    private final Arch arch;
    private final long context;

    private Aio(Arch arch, long context, String name) {
        super(name);
        this.arch = arch;
        this.context = context;
    }

    /** {@code io_setup(maxEvents)}: a context that can have {@code maxEvents} requests in flight. */
    public static Aio setup(int maxEvents, String name) {
        Arch arch = Arch.current();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctx = arena.allocate(ValueLayout.JAVA_LONG);
            long r = Libc.syscall(arch.ioSetup, maxEvents, ctx.address(), 0, 0, 0);
            if (r < 0) {
                throw Libc.error("io_setup", name, (int) -r, "for " + maxEvents + " events");
            }
            return new Aio(arch, ctx.get(ValueLayout.JAVA_LONG, 0), name);
        }
    }

    /** Fills {@code iocb} for a read of {@code buf} from {@code fd} at {@code offset}; {@code data} comes back in the event. */
    public static void prepRead(MemorySegment iocb, Fd fd, MemorySegment buf, long offset, long data) {
        prep(iocb, Constants.IOCB_CMD_PREAD, fd, buf, offset, data);
    }

    /** Fills {@code iocb} for a write of {@code buf} to {@code fd} at {@code offset}. */
    public static void prepWrite(MemorySegment iocb, Fd fd, MemorySegment buf, long offset, long data) {
        prep(iocb, Constants.IOCB_CMD_PWRITE, fd, buf, offset, data);
    }

    /** {@link #prepRead}/{@link #prepWrite} of the first {@code length} bytes of {@code buf}. */
    public static void prep(MemorySegment iocb, boolean read, Fd fd, MemorySegment buf, long length, long offset, long data) {
        java.util.Objects.checkFromIndexSize(0, length, buf.byteSize());
        prep(iocb, read ? Constants.IOCB_CMD_PREAD : Constants.IOCB_CMD_PWRITE, fd, buf.address(), length, offset, data);
    }

    private static void prep(MemorySegment iocb, int opcode, Fd fd, MemorySegment buf, long offset, long data) {
        prep(iocb, opcode, fd, buf.address(), buf.byteSize(), offset, data);
    }

    private static void prep(MemorySegment iocb, int opcode, Fd fd, long buf, long length, long offset, long data) {
        if (!fd.isOpen()) {
            throw new GadgetException("io_submit", fd.name(), Errno.EBADF, "the file descriptor is closed");
        }
        IoAbi.Iocb.set(iocb, data, (short) opcode, fd.number(), buf, length, offset);
    }

    /** Makes the iocb's completion also add 1 to {@code eventFd} (IOCB_FLAG_RESFD), for poll-based waiting. */
    public static void notifyEventFd(MemorySegment iocb, Fd eventFd) {
        IoAbi.Iocb.flags(iocb, IoAbi.Iocb.flags(iocb) | Constants.IOCB_FLAG_RESFD);
        IoAbi.Iocb.resfd(iocb, eventFd.number());
    }

    /** Submits one iocb. */
    public void submit(MemorySegment iocb) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment list = arena.allocate(ValueLayout.ADDRESS);
            list.set(ValueLayout.ADDRESS, 0, iocb);
            if (submit(list, 1) != 1) {
                throw new GadgetException("io_submit", name(), Errno.EAGAIN, "the iocb was not queued");
            }
        }
    }

    /**
     * {@code io_submit} of one iocb through a pointer cell the caller keeps (a preallocated
     * {@code struct iocb *} naming it): nothing allocated. Returns 0 when queued, else {@code -errno}
     * (EINTR included: the caller decides whether to retry).
     */
    public long submitOnce(MemorySegment pointerCell) {
        if (pointerCell.byteSize() < ValueLayout.ADDRESS.byteSize()) {
            throw new IllegalArgumentException("not a pointer cell");
        }
        if (!tryAcquire()) {
            throw closedError("io_submit");
        }
        try {
            long r = Libc.syscall(arch.ioSubmit, context, 1, pointerCell.address(), 0, 0);
            return r == 1 ? 0 : r == 0 ? -EAGAIN : r;
        } finally {
            release();
        }
    }

    /**
     * {@code io_submit} of the first {@code count} iocb pointers in {@code iocbPointers}: the number
     * queued, which may be fewer than asked (the rest were not submitted). EAGAIN (no room in the
     * context) is an exception only when nothing was queued.
     */
    public int submit(MemorySegment iocbPointers, int count) {
        acquire("io_submit");
        try {
            while (true) {
                long r = Libc.syscall(arch.ioSubmit, context, count, iocbPointers.address(), 0, 0);
                if (r >= 0) {
                    return (int) r;
                }
                if (-r != EINTR) {
                    throw Libc.error("io_submit", name(), (int) -r, count + " iocbs");
                }
            }
        } finally {
            release();
        }
    }

    /**
     * {@code io_getevents}: waits until at least {@code minEvents} completions are in {@code events}
     * (an array of {@code io_event}, whose size bounds the number returned) or the timeout passes.
     *
     * @param timeoutNanos negative: wait forever
     * @return the number of events stored
     */
    public int getEvents(int minEvents, MemorySegment events, long timeoutNanos) {
        try (Arena arena = Arena.ofConfined()) {
            return getEvents(minEvents, events, timeoutNanos, arena.allocate(IoAbi.Timespec.LAYOUT));
        }
    }

    /**
     * {@link #getEvents(int, MemorySegment, long)} with the caller's {@code struct __kernel_timespec}
     * scratch (one per reaping thread): nothing allocated. A zero timeout goes through the critical
     * handle: io_getevents then never sleeps.
     */
    public int getEvents(int minEvents, MemorySegment events, long timeoutNanos, MemorySegment timespec) {
        long max = events.byteSize() / IoAbi.IoEvent.SIZE;
        if (max < minEvents || max == 0) {
            throw new IllegalArgumentException("events holds " + max + " io_events, fewer than " + Math.max(1, minEvents));
        }
        if (timespec.byteSize() < IoAbi.Timespec.LAYOUT.byteSize()) {
            throw new IllegalArgumentException("not a struct __kernel_timespec");
        }
        boolean forever = timeoutNanos < 0 || timeoutNanos >= FOREVER_NANOS;
        long deadline = forever ? 0 : System.nanoTime() + timeoutNanos;
        if (!tryAcquire()) {
            throw closedError("io_getevents");
        }
        try {
            MemorySegment ts = timespec;
            while (true) {
                long tsAddress = 0;
                long left = 0;
                if (!forever) {
                    left = timeoutNanos == 0 ? 0 : Math.max(0, deadline - System.nanoTime());
                    IoAbi.Timespec.set(ts, left);
                    tsAddress = ts.address();
                }
                long r = !forever && left == 0
                        ? Libc.syscallNeverBlocking(arch.ioGetevents, context, minEvents, max, events.address(), tsAddress)
                        : Libc.syscall(arch.ioGetevents, context, minEvents, max, events.address(), tsAddress);
                if (r >= 0) {
                    return (int) r;
                }
                if (-r != EINTR) {
                    throw Libc.error("io_getevents", name(), (int) -r, null);
                }
            }
        } finally {
            release();
        }
    }

    /**
     * {@code io_cancel}: whether cancellation started. Its completion (typically ECANCELED or the
     * driver's error, e.g. ECONNRESET for FunctionFS) is then reaped with {@link #getEvents} as
     * usual; false when the request is not known (already completed) or cannot be cancelled.
     */
    public boolean cancel(MemorySegment iocb, MemorySegment result) {
        if (result.byteSize() < IoAbi.IoEvent.SIZE) {
            throw new IllegalArgumentException("not a struct io_event");
        }
        if (!tryAcquire()) {
            throw closedError("io_cancel");
        }
        try {
            // Never sleeps: aio.c's spinlock, FunctionFS's cancel dequeues under its own spinlock.
            long r = Libc.syscallNeverBlocking(arch.ioCancel, context, iocb.address(), result.address(), 0, 0);
            if (r >= 0 || -r == EINPROGRESS) {
                return true;
            }
            if (-r == EINVAL || -r == EAGAIN) {
                return false;
            }
            throw Libc.error("io_cancel", name(), (int) -r, null);
        } finally {
            release();
        }
    }

    @Override
    String closedDetail() {
        return "this AIO context was destroyed";
    }

    @Override
    void closeHandle() {
        long r = Libc.syscall(arch.ioDestroy, context, 0, 0, 0, 0);
        if (r < 0) {
            throw Libc.error("io_destroy", name(), (int) -r, null);
        }
    }

    @Override
    public String toString() {
        return name() + (isOpen() ? " (aio context 0x" + Long.toHexString(context) + ")" : " (destroyed)");
    }
}
