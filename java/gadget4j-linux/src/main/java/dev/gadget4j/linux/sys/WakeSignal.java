package dev.gadget4j.linux.sys;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Wakes a thread out of a blocking system call: {@code pthread_kill} with the signal the JDK's own
 * NIO uses for the same purpose ({@code SIGRTMAX - 2}, i.e. {@code __SIGRTMAX - 2} = 62 on Linux),
 * whose handler does nothing and is installed without {@code SA_RESTART}, so an interruptible
 * sleep in the kernel returns EINTR (FunctionFS: {@code ffs_epfile_wait_ep}, the epfile mutex and
 * the wait for the request, which it then dequeues). The handler is the JDK's, installed when
 * {@code sun.nio.ch.NativeThread} initialises; this class makes a blocking FileChannel call once so
 * that it has, then checks with {@code sigaction} that a handler without SA_RESTART is in place.
 *
 * <p>FunctionFS endpoint files have no poll, so a blocked read, write, io_submit or DMABUF TRANSFER
 * can be released only by a signal (or by ENABLE/DISABLE, which the closer does not control).
 */
public final class WakeSignal {
    /** {@code __SIGRTMAX - 2}: the kernel's SIGRTMAX is 64 on every architecture Arch admits. */
    public static final int SIGNAL = 62;
    private static final int SIG_DFL = 0;
    private static final int SIG_IGN = 1;
    private static final int SA_RESTART = 0x10000000;
    /** glibc's {@code struct sigaction} on LP64: handler, a 1024-bit mask, flags, restorer. */
    private static final long SIGACTION_SIZE = 152;
    private static final long SA_FLAGS_OFFSET = 136;

    private static final String PROBLEM = install();

    private WakeSignal() {
    }

    private static String install() {
        // FileChannelImpl.read registers the thread in a NativeThreadSet: NativeThread initialises.
        try (FileChannel ch = FileChannel.open(Path.of("/dev/null"))) {
            ch.read(ByteBuffer.allocate(1));
        } catch (IOException | RuntimeException e) {
            return "the JDK's NIO could not be initialised: " + e;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment old = arena.allocate(SIGACTION_SIZE, 8);
            int r = (int) Libc.SIGACTION.invokeExact(SIGNAL, MemorySegment.NULL, old);
            if (r != 0) {
                return "sigaction(" + SIGNAL + ") failed";
            }
            long handler = old.get(ValueLayout.JAVA_LONG, 0);
            int flags = old.get(ValueLayout.JAVA_INT, SA_FLAGS_OFFSET);
            if (handler == SIG_DFL || handler == SIG_IGN) {
                return "no handler for signal " + SIGNAL + " (the JDK's NIO did not install one)";
            }
            if ((flags & SA_RESTART) != 0) {
                return "the handler of signal " + SIGNAL + " restarts system calls (SA_RESTART)";
            }
            return null;
        } catch (Throwable t) {
            return "sigaction: " + t;
        }
    }

    /** Whether {@link #wake} interrupts blocking calls in this JVM. */
    public static boolean available() {
        return PROBLEM == null;
    }

    /** Why {@link #available()} is false, or null. */
    public static String problem() {
        return PROBLEM;
    }

    /** The calling thread's {@code pthread_t} (a virtual thread's carrier: a downcall pins it). */
    public static long self() {
        try {
            return (long) Libc.PTHREAD_SELF.invokeExact();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Sends the signal to {@code thread}: its blocking call, if any, returns EINTR. */
    public static void wake(long thread) {
        if (PROBLEM != null) {
            return;
        }
        try {
            int ignored = (int) Libc.PTHREAD_KILL.invokeExact(thread, SIGNAL);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
