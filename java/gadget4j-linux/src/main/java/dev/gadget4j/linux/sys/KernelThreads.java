package dev.gadget4j.linux.sys;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the kernel knows about this process's threads: a thread's kernel id, and whether it is
 * asleep inside a given ioctl ({@code /proc/self/task/TID/syscall} names the syscall and its
 * arguments while a thread is blocked in one, and says {@code running} otherwise).
 */
public final class KernelThreads {
    private KernelThreads() {
    }

    private static long gettidNumber() {
        return switch (Arch.current()) {
            case X86_64 -> 186;
            case AARCH64, RISCV64 -> 178;
        };
    }

    private static long ioctlNumber() {
        return switch (Arch.current()) {
            case X86_64 -> 16;
            case AARCH64, RISCV64 -> 29;
        };
    }

    /** The calling thread's kernel id ({@code gettid(2)}). */
    public static int gettid() {
        return (int) Libc.syscall(gettidNumber(), 0, 0, 0, 0, 0);
    }

    /**
     * Whether thread {@code tid} of this process is asleep inside {@code ioctl(fd, request, ...)}
     * right now. False when it runs, sleeps elsewhere, or is gone.
     */
    public static boolean asleepInIoctl(int tid, int fd, long request) {
        String line;
        try {
            line = Files.readString(Path.of("/proc/self/task/" + tid + "/syscall")).trim();
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return parseAsleepInIoctl(line, ioctlNumber(), fd, request);
    }

    /** Parses a {@code syscall} file's line: {@code NR ARG0 ARG1 ...}, arguments in hex. */
    static boolean parseAsleepInIoctl(String line, long ioctlNr, int fd, long request) {
        String[] f = line.split(" ");
        if (f.length < 3) {
            return false;
        }
        try {
            return Long.parseLong(f[0]) == ioctlNr && Long.parseUnsignedLong(strip(f[1]), 16) == fd
                    && Long.parseUnsignedLong(strip(f[2]), 16) == request;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String strip(String hex) {
        return hex.startsWith("0x") ? hex.substring(2) : hex;
    }
}
