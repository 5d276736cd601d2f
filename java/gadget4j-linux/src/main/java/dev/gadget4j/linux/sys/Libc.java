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
 * callers, which recompute the remaining timeout. None of the handles is critical: reads, writes
 * and ioctls on endpoint files block until the host moves data.
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

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LOOKUP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("the C library has no " + name));
        Linker.Option[] all = java.util.Arrays.copyOf(options, options.length + 1);
        all[options.length] = CAPTURE_ERRNO;
        return LINKER.downcallHandle(symbol, descriptor, all);
    }

    private static MemorySegment state() {
        return STATE.get();
    }

    private static int errno(MemorySegment state) {
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

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    /** {@code open(path, flags, mode)}; the object in messages is the path. */
    public static int open(String path, int flags, int mode) {
        MemorySegment st = state();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cpath = arena.allocateFrom(path);
            while (true) {
                int r = (int) OPEN.invokeExact(st, cpath, flags, mode);
                if (r >= 0) {
                    return r;
                }
                int e = errno(st);
                if (e != EINTR) {
                    throw error("open", path, e, null);
                }
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code close(fd)}: not retried on EINTR, the number is released anyway. */
    public static void close(int fd, String object) {
        MemorySegment st = state();
        int r;
        try {
            r = (int) CLOSE.invokeExact(st, fd);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            int e = errno(st);
            if (e != EINTR) {
                throw error("close", object, e, null);
            }
        }
    }

    /** {@code read(fd, buf, buf.byteSize())}: the number of bytes read, 0 at end of file. */
    public static long read(int fd, MemorySegment buf, String object) {
        MemorySegment st = state();
        try {
            while (true) {
                long r = (long) READ.invokeExact(st, fd, buf, buf.byteSize());
                if (r >= 0) {
                    return r;
                }
                checkRetry(st, "read", object);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code write(fd, buf, buf.byteSize())}: the number of bytes written. */
    public static long write(int fd, MemorySegment buf, String object) {
        MemorySegment st = state();
        try {
            while (true) {
                long r = (long) WRITE.invokeExact(st, fd, buf, buf.byteSize());
                if (r >= 0) {
                    return r;
                }
                checkRetry(st, "write", object);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code pread(fd, buf, buf.byteSize(), offset)}. */
    public static long pread(int fd, MemorySegment buf, long offset, String object) {
        MemorySegment st = state();
        try {
            while (true) {
                long r = (long) PREAD.invokeExact(st, fd, buf, buf.byteSize(), offset);
                if (r >= 0) {
                    return r;
                }
                checkRetry(st, "pread", object);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code pwrite(fd, buf, buf.byteSize(), offset)}. */
    public static long pwrite(int fd, MemorySegment buf, long offset, String object) {
        MemorySegment st = state();
        try {
            while (true) {
                long r = (long) PWRITE.invokeExact(st, fd, buf, buf.byteSize(), offset);
                if (r >= 0) {
                    return r;
                }
                checkRetry(st, "pwrite", object);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Throws unless the failed call's errno is EINTR (then the caller loops). */
    private static void checkRetry(MemorySegment st, String operation, String object) {
        int e = errno(st);
        if (e != EINTR) {
            throw error(operation, object, e, null);
        }
    }

    /** {@code ioctl(fd, request, arg)} with a pointer argument; the operation is named after the request. */
    public static int ioctl(int fd, long request, MemorySegment arg, String object) {
        MemorySegment st = state();
        try {
            while (true) {
                int r = (int) IOCTL_PTR.invokeExact(st, fd, request, arg);
                if (r >= 0) {
                    return r;
                }
                checkRetry(st, Ioctl.name(request), object);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code ioctl(fd, request, arg)} with an integer argument (or none: pass 0). */
    public static int ioctl(int fd, long request, long arg, String object) {
        MemorySegment st = state();
        try {
            while (true) {
                int r = (int) IOCTL_LONG.invokeExact(st, fd, request, arg);
                if (r >= 0) {
                    return r;
                }
                checkRetry(st, Ioctl.name(request), object);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code fcntl(fd, cmd, arg)} for the integer-argument commands. */
    public static int fcntl(int fd, int cmd, int arg, String object) {
        MemorySegment st = state();
        try {
            while (true) {
                int r = (int) FCNTL.invokeExact(st, fd, cmd, arg);
                if (r >= 0) {
                    return r;
                }
                checkRetry(st, "fcntl(" + cmd + ")", object);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code ftruncate(fd, length)}. */
    public static void ftruncate(int fd, long length, String object) {
        MemorySegment st = state();
        try {
            while (true) {
                int r = (int) FTRUNCATE.invokeExact(st, fd, length);
                if (r >= 0) {
                    return;
                }
                checkRetry(st, "ftruncate", object);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
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
        MemorySegment st = state();
        int r;
        try {
            r = (int) MUNMAP.invokeExact(st, MemorySegment.ofAddress(address), length);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw error("munmap", object, errno(st), "address 0x" + Long.toHexString(address) + ", length " + length);
        }
    }

    /** {@code memfd_create(name, flags)}; the object in messages is {@code memfd:name}. */
    public static int memfdCreate(String name, int flags) {
        MemorySegment st = state();
        try (Arena arena = Arena.ofConfined()) {
            int r = (int) MEMFD_CREATE.invokeExact(st, arena.allocateFrom(name), flags);
            if (r < 0) {
                throw error("memfd_create", "memfd:" + name, errno(st), null);
            }
            return r;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code eventfd(initval, flags)}. */
    public static int eventfd(int initval, int flags) {
        MemorySegment st = state();
        int r;
        try {
            r = (int) EVENTFD.invokeExact(st, initval, flags);
        } catch (Throwable t) {
            throw rethrow(t);
        }
        if (r < 0) {
            throw error("eventfd", "eventfd", errno(st), null);
        }
        return r;
    }

    /** {@code mount(source, target, fstype, flags, data)}; {@code data} may be null. */
    public static void mount(String source, String target, String fstype, long flags, String data) {
        MemorySegment st = state();
        try (Arena arena = Arena.ofConfined()) {
            int r = (int) MOUNT.invokeExact(st, arena.allocateFrom(source), arena.allocateFrom(target),
                    arena.allocateFrom(fstype), flags, data == null ? MemorySegment.NULL : arena.allocateFrom(data));
            if (r < 0) {
                throw error("mount", target, errno(st), fstype + " from " + source);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code umount2(target, flags)}. */
    public static void umount2(String target, int flags) {
        MemorySegment st = state();
        try (Arena arena = Arena.ofConfined()) {
            int r = (int) UMOUNT2.invokeExact(st, arena.allocateFrom(target), flags);
            if (r < 0) {
                throw error("umount2", target, errno(st), null);
            }
        } catch (Throwable t) {
            throw rethrow(t);
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
}
