package dev.gadget4j.linux.sys;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * A platform thread blocked in a {@code read()} of an eventfd into a given segment: the JVM keeps
 * the segment's arena acquired for as long as the downcall lasts. {@link #start} returns only once
 * the kernel shows the thread sleeping in that very call ({@code /proc/self/task/T/syscall} names
 * the fd and the buffer's address), so a test knows the segment is in use without timing anything.
 * {@link #close()} writes the eventfd, which ends the read, and joins the thread.
 */
public final class BlockedRead implements AutoCloseable {
    private final Fd eventfd;
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    private BlockedRead(Fd eventfd, MemorySegment into) {
        this.eventfd = eventfd;
        this.thread = Thread.ofPlatform().name("blocked-read").start(() -> {
            try {
                eventfd.read(into.asSlice(0, 8));
            } catch (Throwable t) {
                failure.set(t);
            }
        });
    }

    /** Starts the read into the first 8 bytes of {@code into} and waits until it sleeps in the kernel. */
    public static BlockedRead start(MemorySegment into) throws InterruptedException {
        BlockedRead r = new BlockedRead(Fd.eventfd(0, 0, "blocked-read eventfd"), into);
        String fd = "0x" + Integer.toHexString(r.eventfd.number());
        String buf = "0x" + Long.toHexString(into.address());
        while (!inSyscall(fd, buf)) {
            if (!r.thread.isAlive()) {
                throw new IllegalStateException("the reader ended before blocking", r.failure.get());
            }
            Thread.sleep(1);
        }
        return r;
    }

    /** Whether some thread of this process sleeps in a syscall whose first two arguments are fd and buf. */
    private static boolean inSyscall(String fd, String buf) {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            return tasks.anyMatch(t -> {
                try {
                    String[] f = Files.readString(t.resolve("syscall")).trim().split(" ");
                    return f.length > 2 && f[1].equals(fd) && f[2].equals(buf);
                } catch (IOException e) {
                    return false; // the task ended meanwhile
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Ends the read, waits for the thread, rethrows what it failed with. */
    @Override
    public void close() throws InterruptedException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(ValueLayout.JAVA_LONG);
            one.set(ValueLayout.JAVA_LONG, 0, 1);
            eventfd.write(one);
        }
        thread.join();
        eventfd.close();
        if (failure.get() != null) {
            throw new IllegalStateException("the blocked read failed", failure.get());
        }
    }
}
