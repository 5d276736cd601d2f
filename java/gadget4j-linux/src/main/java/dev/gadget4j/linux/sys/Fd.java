package dev.gadget4j.linux.sys;

import java.lang.foreign.MemorySegment;

/**
 * An owned file descriptor: closed exactly once, and never used after close, even by a call that
 * races with {@link #close()} (see {@link OwnedHandle}). Calls on a closed {@code Fd} throw
 * {@link dev.gadget4j.GadgetException} with EBADF without reaching the kernel, so a number that
 * the process has meanwhile reused for another file is never touched.
 */
public final class Fd extends OwnedHandle {
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

    /** Reads into {@code buf}: the number of bytes read, 0 at end of file. */
    public long read(MemorySegment buf) {
        acquire("read");
        try {
            return Libc.read(number, buf, name());
        } finally {
            release();
        }
    }

    /** Writes {@code buf}: the number of bytes written. */
    public long write(MemorySegment buf) {
        acquire("write");
        try {
            return Libc.write(number, buf, name());
        } finally {
            release();
        }
    }

    /** {@code pread} at {@code offset}. */
    public long pread(MemorySegment buf, long offset) {
        acquire("pread");
        try {
            return Libc.pread(number, buf, offset, name());
        } finally {
            release();
        }
    }

    /** {@code pwrite} at {@code offset}. */
    public long pwrite(MemorySegment buf, long offset) {
        acquire("pwrite");
        try {
            return Libc.pwrite(number, buf, offset, name());
        } finally {
            release();
        }
    }

    /** An ioctl with a pointer argument; failures name the request (e.g. FUNCTIONFS_DMABUF_ATTACH). */
    public int ioctl(long request, MemorySegment arg) {
        acquire(Ioctl.name(request));
        try {
            return Libc.ioctl(number, request, arg, name());
        } finally {
            release();
        }
    }

    /** An ioctl with an integer argument, or none (pass 0). */
    public int ioctl(long request, long arg) {
        acquire(Ioctl.name(request));
        try {
            return Libc.ioctl(number, request, arg, name());
        } finally {
            release();
        }
    }

    /** {@code fcntl(cmd, arg)}. */
    public int fcntl(int cmd, int arg) {
        acquire("fcntl");
        try {
            return Libc.fcntl(number, cmd, arg, name());
        } finally {
            release();
        }
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
        acquire("ftruncate");
        try {
            Libc.ftruncate(number, length, name());
        } finally {
            release();
        }
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
