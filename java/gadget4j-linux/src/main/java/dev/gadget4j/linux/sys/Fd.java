package dev.gadget4j.linux.sys;

import java.lang.foreign.MemorySegment;
import java.util.function.IntToLongFunction;

/**
 * An owned file descriptor: closed exactly once, and never used after close, even by a call that
 * races with {@link #close()} (see {@link OwnedHandle}). Calls on a closed {@code Fd} throw
 * {@link dev.gadget4j.GadgetException} with EBADF without reaching the kernel, so a number that
 * the process has meanwhile reused for another file is never touched.
 */
public final class Fd extends OwnedHandle {
    /** {@link #transfer}'s offset for read and write (any other, even a negative one, goes to pread/pwrite). */
    private static final long NO_OFFSET = Long.MIN_VALUE;
    private final int number;

    private Fd(int number, String name) {
        super(name);
        this.number = number;
    }

    /** Takes ownership of an open descriptor (e.g. one an ioctl returned). */
    public static Fd adopt(int number, String name) {
        if (number < 0) {
            throw new IllegalArgumentException("not a file descriptor: " + number);
        }
        return new Fd(number, name);
    }

    /** {@code open(path, flags | O_CLOEXEC)}; messages name the file by its path. */
    public static Fd open(String path, int flags) {
        return open(path, flags, 0, path);
    }

    /** {@code open(path, flags | O_CLOEXEC, mode)}; messages name the file {@code name}. */
    public static Fd open(String path, int flags, int mode, String name) {
        // O_CLOEXEC always: a child process (gcc in tests, a helper on a board) must not keep endpoints open.
        return new Fd(Libc.open(path, flags | Constants.O_CLOEXEC, mode), name);
    }

    /** A new {@code eventfd} (close-on-exec). */
    public static Fd eventfd(int initval, int flags, String name) {
        return new Fd(Libc.eventfd(initval, flags | Constants.EFD_CLOEXEC), name);
    }

    /**
     * The descriptor number, for building structs (iocb, pollfd). Only meaningful between
     * {@link #acquire} and {@link #release()}, or while the caller otherwise knows it is open.
     */
    public int number() {
        return number;
    }

    /** Runs {@code call} on the number while this Fd is acquired for {@code operation}. */
    private long using(String operation, IntToLongFunction call) {
        acquire(operation);
        try {
            return call.applyAsLong(number);
        } finally {
            release();
        }
    }

    /** Reads into {@code buf}: the number of bytes read, 0 at end of file. */
    public long read(MemorySegment buf) {
        return transfer(false, buf, NO_OFFSET);
    }

    /** Writes {@code buf}: the number of bytes written. */
    public long write(MemorySegment buf) {
        return transfer(true, buf, NO_OFFSET);
    }

    /** {@code pread} at {@code offset}. */
    public long pread(MemorySegment buf, long offset) {
        return transfer(false, buf, offset);
    }

    /** {@code pwrite} at {@code offset}. */
    public long pwrite(MemorySegment buf, long offset) {
        return transfer(true, buf, offset);
    }

    /** read or write ({@link #NO_OFFSET}), pread or pwrite, without a lambda: nothing allocated on success. */
    private long transfer(boolean write, MemorySegment buf, long offset) {
        boolean plain = offset == NO_OFFSET;
        if (!tryAcquire()) {
            throw closedError(plain ? (write ? "write" : "read") : (write ? "pwrite" : "pread"));
        }
        try {
            if (plain) {
                return write ? Libc.write(number, buf, name()) : Libc.read(number, buf, name());
            }
            return write ? Libc.pwrite(number, buf, offset, name()) : Libc.pread(number, buf, offset, name());
        } finally {
            release();
        }
    }

    /**
     * An ioctl with a pointer argument; failures name the request (e.g. FUNCTIONFS_DMABUF_ATTACH).
     * Allocates nothing (no capturing lambda), as the ioctls of a DMABUF stream run per transfer.
     */
    public int ioctl(long request, MemorySegment arg) {
        acquireFor(request);
        try {
            return Libc.ioctl(number, request, arg, name());
        } finally {
            release();
        }
    }

    /** An ioctl with an integer argument, or none (pass 0). */
    public int ioctl(long request, long arg) {
        acquireFor(request);
        try {
            return Libc.ioctl(number, request, arg, name());
        } finally {
            release();
        }
    }

    /** {@link #acquire} for an ioctl, its name built only when this Fd is closed. */
    private void acquireFor(long request) {
        if (!tryAcquire()) {
            throw closedError(Ioctl.name(request));
        }
    }

    /** {@code fcntl(cmd, arg)}. */
    public int fcntl(int cmd, int arg) {
        return (int) using("fcntl", n -> Libc.fcntl(n, cmd, arg, name()));
    }

    /** Sets or clears O_NONBLOCK. */
    public void setNonBlocking(boolean on) {
        int flags = fcntl(Constants.F_GETFL, 0);
        int wanted = on ? flags | Constants.O_NONBLOCK : flags & ~Constants.O_NONBLOCK;
        if (wanted != flags) {
            fcntl(Constants.F_SETFL, wanted);
        }
    }

    /** {@code ftruncate(length)}. */
    public void truncate(long length) {
        using("ftruncate", n -> {
            Libc.ftruncate(n, length, name());
            return 0;
        });
    }

    @Override
    String closedDetail() {
        return "this file descriptor was closed (it was fd " + number + "; the number may now belong to another file)";
    }

    @Override
    void closeHandle() {
        Libc.close(number, name());
    }

    /** {@code name (fd N)}, or {@code name (closed)}. */
    @Override
    public String toString() {
        return name() + (isOpen() ? " (fd " + number + ")" : " (closed)");
    }
}
