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

    private static void prep(MemorySegment iocb, int opcode, Fd fd, MemorySegment buf, long offset, long data) {
        if (!fd.isOpen()) {
            throw new GadgetException("io_submit", fd.name(), Errno.EBADF, "the file descriptor is closed");
        }
        iocb.asSlice(0, IoAbi.Iocb.LAYOUT.byteSize()).fill((byte) 0);
        IoAbi.Iocb.AIO_DATA.set(iocb, data);
        IoAbi.Iocb.AIO_LIO_OPCODE.set(iocb, (short) opcode);
        IoAbi.Iocb.AIO_FILDES.set(iocb, fd.number());
        IoAbi.Iocb.AIO_BUF.set(iocb, buf.address());
        IoAbi.Iocb.AIO_NBYTES.set(iocb, buf.byteSize());
        IoAbi.Iocb.AIO_OFFSET.set(iocb, offset);
    }

    /** Makes the iocb's completion also add 1 to {@code eventFd} (IOCB_FLAG_RESFD), for poll-based waiting. */
    public static void notifyEventFd(MemorySegment iocb, Fd eventFd) {
        IoAbi.Iocb.AIO_FLAGS.set(iocb, (int) IoAbi.Iocb.AIO_FLAGS.get(iocb) | Constants.IOCB_FLAG_RESFD);
        IoAbi.Iocb.AIO_RESFD.set(iocb, eventFd.number());
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
        long max = events.byteSize() / IoAbi.IoEvent.LAYOUT.byteSize();
        if (max < minEvents || max == 0) {
            throw new IllegalArgumentException("events holds " + max + " io_events, fewer than " + Math.max(1, minEvents));
        }
        boolean forever = timeoutNanos < 0 || timeoutNanos >= FOREVER_NANOS;
        long deadline = forever ? 0 : System.nanoTime() + timeoutNanos;
        acquire("io_getevents");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ts = arena.allocate(IoAbi.Timespec.LAYOUT);
            while (true) {
                long tsAddress = 0;
                if (!forever) {
                    long left = Math.max(0, deadline - System.nanoTime());
                    IoAbi.Timespec.TV_SEC.set(ts, left / 1_000_000_000L);
                    IoAbi.Timespec.TV_NSEC.set(ts, left % 1_000_000_000L);
                    tsAddress = ts.address();
                }
                long r = Libc.syscall(arch.ioGetevents, context, minEvents, max, events.address(), tsAddress);
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
        acquire("io_cancel");
        try {
            long r = Libc.syscall(arch.ioCancel, context, iocb.address(), result.address(), 0, 0);
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
