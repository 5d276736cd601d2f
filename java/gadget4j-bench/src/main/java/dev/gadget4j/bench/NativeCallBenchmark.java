package dev.gadget4j.bench;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.Libc;
import dev.gadget4j.linux.sys.Poll;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Linux backend's native layer ({@code dev.gadget4j.linux.sys}) against the floor: the same
 * system call through one static-final downcall handle with no errno capture, no ownership
 * check and no wrapper ({@code raw*}), and for the calls that never block also with
 * {@link Linker.Option#critical} ({@code critical*}). Needs Linux, no FunctionFS: memfd,
 * eventfd and a pipe. The difference per pair is the sys layer's per-call overhead; run with
 * {@code -prof gc} for its allocation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class NativeCallBenchmark {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle READ = raw("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle WRITE = raw("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle PWRITE = raw("pwrite",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle IOCTL = raw("ioctl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
            Linker.Option.firstVariadicArg(2));
    private static final MethodHandle POLL = raw("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final MethodHandle IOCTL_CRITICAL = raw("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2),
            Linker.Option.critical(false));
    private static final MethodHandle POLL_CRITICAL = raw("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), Linker.Option.critical(false));
    private static final MethodHandle PIPE2 = raw("pipe2", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    /** {@code FIONREAD}: bytes readable on the pipe; works on any pipe, returns at once. */
    private static final long FIONREAD = 0x541b;

    private Arena arena;
    private Fd memfd;
    private Fd eventfd;
    private Fd pipeRead;
    private Fd pipeWrite;
    private MemorySegment page;
    private MemorySegment counter;
    private MemorySegment small;
    private MemorySegment available;
    private MemorySegment pollfd;

    @SuppressWarnings("restricted")
    private static MethodHandle raw(String name, FunctionDescriptor d, Linker.Option... options) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d, options);
    }

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        arena = Arena.ofShared();
        memfd = Fd.adopt(Libc.memfdCreate("bench", Constants.MFD_CLOEXEC), "memfd bench");
        memfd.truncate(4096);
        eventfd = Fd.eventfd(0, Constants.EFD_NONBLOCK, "eventfd bench");
        MemorySegment fds = arena.allocate(JAVA_INT, 2);
        if ((int) PIPE2.invokeExact(fds, Constants.O_CLOEXEC) != 0) {
            throw new IllegalStateException("pipe2 failed");
        }
        pipeRead = Fd.adopt(fds.getAtIndex(JAVA_INT, 0), "pipe bench (read)");
        pipeWrite = Fd.adopt(fds.getAtIndex(JAVA_INT, 1), "pipe bench (write)");
        page = arena.allocate(4096, 4096);
        counter = arena.allocate(JAVA_LONG);
        counter.set(JAVA_LONG, 0, 1);
        small = arena.allocate(64);
        available = arena.allocate(JAVA_INT);
        pollfd = arena.allocate(8); // struct pollfd { int fd; short events; short revents; }
        pollfd.set(JAVA_INT, 0, eventfd.number());
        pollfd.set(JAVA_SHORT, 4, (short) Constants.POLLIN);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        memfd.close();
        eventfd.close();
        pipeRead.close();
        pipeWrite.close();
        arena.close();
    }

    /** pwrite of one page into a memfd (page cache copy). */
    @Benchmark
    public long memfdPwrite() {
        return memfd.pwrite(page, 0);
    }

    @Benchmark
    public long memfdPwrite_raw() throws Throwable {
        return (long) PWRITE.invokeExact(memfd.number(), page, 4096L, 0L);
    }

    /** Signal and consume an eventfd: write(8 bytes) + read(8 bytes). */
    @Benchmark
    public long eventfdWriteRead() {
        eventfd.write(counter);
        return eventfd.read(counter);
    }

    @Benchmark
    public long eventfdWriteRead_raw() throws Throwable {
        int n = eventfd.number();
        long w = (long) WRITE.invokeExact(n, counter, 8L);
        return w + (long) READ.invokeExact(n, counter, 8L);
    }

    /** 64 bytes through a pipe: write + read. */
    @Benchmark
    public long pipeWriteRead() {
        pipeWrite.write(small);
        return pipeRead.read(small);
    }

    @Benchmark
    public long pipeWriteRead_raw() throws Throwable {
        long w = (long) WRITE.invokeExact(pipeWrite.number(), small, 64L);
        return w + (long) READ.invokeExact(pipeRead.number(), small, 64L);
    }

    /** ioctl(FIONREAD) on the empty pipe: the shortest ioctl. */
    @Benchmark
    public int pipeIoctl() {
        return pipeRead.ioctl(FIONREAD, available);
    }

    @Benchmark
    public int pipeIoctl_raw() throws Throwable {
        return (int) IOCTL.invokeExact(pipeRead.number(), FIONREAD, available);
    }

    @Benchmark
    public int pipeIoctl_critical() throws Throwable {
        return (int) IOCTL_CRITICAL.invokeExact(pipeRead.number(), FIONREAD, available);
    }

    /** poll with timeout 0 on an eventfd that is not readable. */
    @Benchmark
    public int eventfdPoll0() {
        return Poll.poll(eventfd, Constants.POLLIN, 0L);
    }

    @Benchmark
    public int eventfdPoll0_raw() throws Throwable {
        return (int) POLL.invokeExact(pollfd, 1L, 0);
    }

    @Benchmark
    public int eventfdPoll0_critical() throws Throwable {
        return (int) POLL_CRITICAL.invokeExact(pollfd, 1L, 0);
    }
}
