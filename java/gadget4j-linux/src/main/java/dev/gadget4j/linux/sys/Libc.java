package dev.gadget4j.linux.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.gadget4j.Errno;
import dev.gadget4j.GadgetException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Downcalls into the C library, one static final handle per function, with {@code errno} captured
 * by the linker (reading it afterwards through another downcall would race with the JVM's own
 * calls). Each wrapper throws {@link GadgetException} naming the call, the object and the errno.
 *
 * <p>{@code EINTR} is retried where a retry cannot repeat a side effect: open, read, write,
 * pread, pwrite, ioctl, fcntl, ftruncate, io_submit. {@code close} is never retried (Linux has
 * released the number even when it reports EINTR); poll and io_getevents are retried by their
 * callers, which recompute the remaining timeout.
 *
 * <p>The hot calls (read, write, ioctl, syscall) are written out without lambdas and fetch the
 * capture-state segment once per call, so a successful call allocates nothing; names and messages
 * are built only when a call fails. The {@code ...Once} variants return {@code -errno} instead of
 * throwing, for callers that must tell EINTR (a wake-up by {@link WakeSignal}) from a failure.
 *
 * <p>{@link Linker.Option#critical(boolean) Critical} handles skip the JVM's thread-state
 * transition, which also holds off safepoints (and with them every GC) for the call's duration:
 * only calls that can never sleep get one. They are: {@code pthread_self}, {@code pthread_kill}
 * (tgkill queues a signal and returns), {@code sigaction}, and {@code io_getevents} with a zero
 * timeout and {@code io_cancel} (aio.c takes only the context's spinlock and the ring mutex, held
 * for the copy of events; FunctionFS's cancel callback only dequeues under its spinlock).
 * Everything else may sleep and is not critical: read, write and ioctls on endpoint files wait for
 * ENABLE and for the host; io_submit on an endpoint waits for ENABLE (ffs_epfile_wait_ep);
 * io_getevents with a timeout; every usbfs ioctl takes the USB device's lock (usb_lock_device),
 * which another thread may hold across a reset; close of an endpoint or DMABUF file releases the
 * file, which may wait for the UDC to give requests back; io_destroy waits for every request.
 *
 * <p>{@code long}, {@code size_t} and {@code off_t} are 64-bit here; {@link Arch} admits only LP64.
 */
public final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = MethodHandles.insertCoordinates(
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno")), 1, 0L);
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    /** One capture buffer per thread: it is read right after the call, before the thread can block. */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));
    private static final int EINTR = Errno.EINTR.number();

    private static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle READ = downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle PREAD = downcall("pread", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle PWRITE = downcall("pwrite", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle IOCTL_PTR = downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_LONG = downcall("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = downcall("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle POLL = downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle MMAP = downcall("mmap",
            FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle MUNMAP = downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MEMFD_CREATE = downcall("memfd_create", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = downcall("ftruncate", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    private static final MethodHandle EVENTFD = downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle MOUNT = downcall("mount",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    private static final MethodHandle UMOUNT2 = downcall("umount2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code long syscall(long nr, ...)} with five long arguments; unused ones are passed as 0. */
    private static final MethodHandle SYSCALL = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));
    /** The same, for the syscalls that never sleep (see the class comment). */
    private static final MethodHandle SYSCALL_CRITICAL = downcall("syscall",
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1), Linker.Option.critical(false));
    /** Without errno capture: pthread functions return their error; nothing is left to read afterwards. */
    static final MethodHandle PTHREAD_SELF = downcallNoErrno("pthread_self", FunctionDescriptor.of(JAVA_LONG),
            Linker.Option.critical(false));
    static final MethodHandle PTHREAD_KILL = downcallNoErrno("pthread_kill",
            FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT), Linker.Option.critical(false));
    static final MethodHandle SIGACTION = downcallNoErrno("sigaction", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS),
            Linker.Option.critical(false));

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        Linker.Option[] all = java.util.Arrays.copyOf(options, options.length + 1);
        all[options.length] = CAPTURE_ERRNO;
        return downcallNoErrno(name, descriptor, all);
    }

    @SuppressWarnings("restricted") // the reason this package exists; the module is granted native access
    private static MethodHandle downcallNoErrno(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LOOKUP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("the C library has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    static MemorySegment state() {
        return STATE.get();
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state);
    }

    /** The {@link Errno} for a number; numbers outside the table (never expected) become EIO. */
    static Errno errnoOf(int number) {
        try {
            return Errno.of(number);
        } catch (IllegalArgumentException e) {
            return Errno.EIO;
        }
    }

    /** The exception for a failed call; {@code detail} may be null (the errno's description is used). */
    public static GadgetException error(String operation, String object, int errno, String detail) {
        Errno e = errnoOf(errno);
        String d = detail;
        if (e.number() != errno) {
            d = "errno " + errno + " (unknown to gadget4j)" + (detail == null ? "" : ": " + detail);
        }
        return new GadgetException(operation, object, e, d);
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** One downcall, given the capture buffer; int results are widened. */
    @FunctionalInterface
    private interface Call {
        long invoke(MemorySegment state) throws Throwable;
    }

    /**
     * Runs {@code call}, retrying on EINTR when {@code retry}; a negative result becomes the
     * exception for the captured errno.
     */
    private static long call(String operation, String object, String detail, boolean retry, Call call) {
        MemorySegment st = state();
        try {
            while (true) {
                long r = call.invoke(st);
                if (r >= 0) {
                    return r;
                }
                int e = errno(st);
                if (e != EINTR || !retry) {
                    throw error(operation, object, e, detail);
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code open(path, flags, mode)}; the object in messages is the path. */
    public static int open(String path, int flags, int mode) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cpath = arena.allocateFrom(path);
            return (int) call("open", path, null, true, st -> (int) OPEN.invokeExact(st, cpath, flags, mode));
        }
    }

    /** {@code close(fd)}: not retried on EINTR, the number is released anyway. */
    public static void close(int fd, String object) {
        try {
            call("close", object, null, false, st -> (int) CLOSE.invokeExact(st, fd));
        } catch (GadgetException e) {
            if (e.errno() != Errno.EINTR) {
                throw e;
            }
        }
    }

    /** {@code read(fd, buf, buf.byteSize())} once: the number of bytes read, or {@code -errno}. */
    public static long readOnce(int fd, MemorySegment buf) {
        return transferOnce(READ, fd, buf, buf.byteSize());
    }

    /** {@code read(fd, buf, count)} once, {@code count <= buf.byteSize()}: the number of bytes read, or {@code -errno}. */
    public static long readOnce(int fd, MemorySegment buf, long count) {
        return transferOnce(READ, fd, buf, count);
    }

    /** {@code write(fd, buf, buf.byteSize())} once: the number of bytes written, or {@code -errno}. */
    public static long writeOnce(int fd, MemorySegment buf) {
        return transferOnce(WRITE, fd, buf, buf.byteSize());
    }

    /** {@code write(fd, buf, count)} once, {@code count <= buf.byteSize()}: the number of bytes written, or {@code -errno}. */
    public static long writeOnce(int fd, MemorySegment buf, long count) {
        return transferOnce(WRITE, fd, buf, count);
    }

    /** {@code read} or {@code write} (same C signature) once. */
    private static long transferOnce(MethodHandle readOrWrite, int fd, MemorySegment buf, long count) {
        java.util.Objects.checkFromIndexSize(0, count, buf.byteSize());
        MemorySegment st = state();
        long r;
        try {
            r = (long) readOrWrite.invokeExact(st, fd, buf, count);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r >= 0 ? r : -errno(st);
    }

    /** {@code read} or {@code write} of the whole segment, retried on EINTR. */
    private static long transfer(MethodHandle readOrWrite, String operation, int fd, MemorySegment buf, String object) {
        while (true) {
            long r = transferOnce(readOrWrite, fd, buf, buf.byteSize());
            if (r >= 0) {
                return r;
            }
            if (r != -EINTR) {
                throw error(operation, object, (int) -r, null);
            }
        }
    }

    /** {@code read(fd, buf, buf.byteSize())}: the number of bytes read, 0 at end of file. */
    public static long read(int fd, MemorySegment buf, String object) {
        return transfer(READ, "read", fd, buf, object);
    }

    /** {@code write(fd, buf, buf.byteSize())}: the number of bytes written. */
    public static long write(int fd, MemorySegment buf, String object) {
        return transfer(WRITE, "write", fd, buf, object);
    }

    /** {@code pread(fd, buf, buf.byteSize(), offset)}. */
    public static long pread(int fd, MemorySegment buf, long offset, String object) {
        return positioned(PREAD, "pread", fd, buf, offset, object);
    }

    /** {@code pwrite(fd, buf, buf.byteSize(), offset)}. */
    public static long pwrite(int fd, MemorySegment buf, long offset, String object) {
        return positioned(PWRITE, "pwrite", fd, buf, offset, object);
    }

    /** {@code pread} or {@code pwrite} (same C signature) of the whole segment, retried on EINTR; no lambda. */
    private static long positioned(MethodHandle preadOrPwrite, String operation, int fd, MemorySegment buf, long offset,
                                   String object) {
        MemorySegment st = state();
        while (true) {
            long r;
            try {
                r = (long) preadOrPwrite.invokeExact(st, fd, buf, buf.byteSize(), offset);
            } catch (Throwable t) {
                throw rethrow(t);
            }
            if (r >= 0) {
                return r;
            }
            int e = errno(st);
            if (e != EINTR) {
                throw error(operation, object, e, null);
            }
        }
    }

    /** {@code ioctl(fd, request, arg)} once with a pointer argument: the result, or {@code -errno}. */
    public static int ioctlOnce(int fd, long request, MemorySegment arg) {
        MemorySegment st = state();
        int r;
        try {
            r = (int) IOCTL_PTR.invokeExact(st, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r >= 0 ? r : -errno(st);
    }

    /** {@code ioctl(fd, request, arg)} once with an integer argument: the result, or {@code -errno}. */
    public static int ioctlOnce(int fd, long request, long arg) {
        MemorySegment st = state();
        int r;
        try {
            r = (int) IOCTL_LONG.invokeExact(st, fd, request, arg);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r >= 0 ? r : -errno(st);
    }

    /** {@code ioctl(fd, request, arg)} with a pointer argument; the operation is named after the request. */
    public static int ioctl(int fd, long request, MemorySegment arg, String object) {
        int r;
        do {
            r = ioctlOnce(fd, request, arg);
        } while (r == -EINTR);
        return ioctlResult(r, request, object);
    }

    /** {@code ioctl(fd, request, arg)} with an integer argument (or none: pass 0). */
    public static int ioctl(int fd, long request, long arg, String object) {
        int r;
        do {
            r = ioctlOnce(fd, request, arg);
        } while (r == -EINTR);
        return ioctlResult(r, request, object);
    }

    /** An ioctl's result, or the exception for {@code -errno} (named after the request only now). */
    private static int ioctlResult(int r, long request, String object) {
        if (r < 0) {
            throw error(Ioctl.name(request), object, -r, null);
        }
        return r;
    }

    /** {@code fcntl(fd, cmd, arg)} for the integer-argument commands. */
    public static int fcntl(int fd, int cmd, int arg, String object) {
        return (int) call("fcntl(" + fcntlName(cmd) + ")", object, null, true, st -> (int) FCNTL.invokeExact(st, fd, cmd, arg));
    }

    private static String fcntlName(int cmd) {
        return switch (cmd) {
            case Constants.F_GETFD -> "F_GETFD";
            case Constants.F_SETFD -> "F_SETFD";
            case Constants.F_GETFL -> "F_GETFL";
            case Constants.F_SETFL -> "F_SETFL";
            case Constants.F_ADD_SEALS -> "F_ADD_SEALS";
            case Constants.F_GET_SEALS -> "F_GET_SEALS";
            default -> String.valueOf(cmd);
        };
    }

    /** {@code ftruncate(fd, length)}. */
    public static void ftruncate(int fd, long length, String object) {
        call("ftruncate", object, null, true, st -> (int) FTRUNCATE.invokeExact(st, fd, length));
    }

    /**
     * {@code poll(fds, nfds, timeoutMillis)} once: the number of ready entries, 0 on timeout, or
     * {@code -EINTR} so that the caller can recompute its timeout and call again.
     */
    public static int pollOnce(MemorySegment fds, long nfds, int timeoutMillis, String object) {
        MemorySegment st = state();
        int r;
        try {
            r = (int) POLL.invokeExact(st, fds, nfds, timeoutMillis);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r >= 0) {
            return r;
        }
        int e = errno(st);
        if (e == EINTR) {
            return -EINTR;
        }
        throw error("poll", object, e, null);
    }

    /** {@code mmap(NULL, length, prot, flags, fd, offset)}: a zero-length segment at the mapping. */
    public static MemorySegment mmap(long length, int prot, int flags, int fd, long offset, String object) {
        MemorySegment st = state();
        MemorySegment p;
        try {
            p = (MemorySegment) MMAP.invokeExact(st, MemorySegment.NULL, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (p.address() == -1L) { // MAP_FAILED
            throw error("mmap", object, errno(st), "length " + length + ", offset " + offset);
        }
        return p;
    }

    /** {@code munmap(address, length)}. */
    public static void munmap(long address, long length, String object) {
        MemorySegment p = MemorySegment.ofAddress(address);
        call("munmap", object, "address 0x" + Long.toHexString(address) + ", length " + length, false,
                st -> (int) MUNMAP.invokeExact(st, p, length));
    }

    /** {@code memfd_create(name, flags)}; the object in messages is {@code memfd:name}. */
    public static int memfdCreate(String name, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cname = arena.allocateFrom(name);
            return (int) call("memfd_create", "memfd:" + name, null, false,
                    st -> (int) MEMFD_CREATE.invokeExact(st, cname, flags));
        }
    }

    /** {@code eventfd(initval, flags)}. */
    public static int eventfd(int initval, int flags) {
        return (int) call("eventfd", "eventfd", null, false, st -> (int) EVENTFD.invokeExact(st, initval, flags));
    }

    /** {@code mount(source, target, fstype, flags, data)}; {@code data} may be null. */
    public static void mount(String source, String target, String fstype, long flags, String data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment csource = arena.allocateFrom(source);
            MemorySegment ctarget = arena.allocateFrom(target);
            MemorySegment ctype = arena.allocateFrom(fstype);
            MemorySegment cdata = data == null ? MemorySegment.NULL : arena.allocateFrom(data);
            call("mount", target, fstype + " from " + source, false,
                    st -> (int) MOUNT.invokeExact(st, csource, ctarget, ctype, flags, cdata));
        }
    }

    /** {@code umount2(target, flags)}. */
    public static void umount2(String target, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ctarget = arena.allocateFrom(target);
            call("umount2", target, null, false, st -> (int) UMOUNT2.invokeExact(st, ctarget, flags));
        }
    }

    /**
     * {@code syscall(nr, a1..a5)} once: the result, or {@code -errno} on failure, so that AIO can
     * tell EINTR, EAGAIN and EINPROGRESS apart from real failures without an exception.
     */
    static long syscall(long nr, long a1, long a2, long a3, long a4, long a5) {
        MemorySegment st = state();
        long r;
        try {
            r = (long) SYSCALL.invokeExact(st, nr, a1, a2, a3, a4, a5);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r == -1 ? -errno(st) : r;
    }

    /** {@link #syscall} through the critical handle: only for the calls the class comment lists. */
    static long syscallNeverBlocking(long nr, long a1, long a2, long a3, long a4, long a5) {
        MemorySegment st = state();
        long r;
        try {
            r = (long) SYSCALL_CRITICAL.invokeExact(st, nr, a1, a2, a3, a4, a5);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        return r == -1 ? -errno(st) : r;
    }
}
