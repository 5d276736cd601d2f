package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.linux.sys.Fd;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The classic I/O and AIO paths allocate nothing per call once warmed up (AIO: only the
 * IoRequest handed to the caller), measured with the JVM's per-thread allocation counter on an
 * eventfd (read/write) and a memfd (AIO), which behave as endpoint files do for these calls.
 * Deterministic: it counts bytes, it does not time anything.
 */
class SteadyStateAllocationTest {
    private static final int WARM_UP = 10_000;
    private static final int MEASURED = 1_000;
    /** Warm-up rounds before giving up on a steady state (C2 compiles in the background). */
    private static final int ROUNDS = 60;
    /** com.sun.management.ThreadMXBean#getCurrentThreadAllocatedBytes, reached reflectively (this module does not read jdk.management). */
    private static final MethodHandle ALLOCATED = allocatedBytes();

    private static MethodHandle allocatedBytes() {
        try {
            Object bean = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean").invoke(null);
            MethodHandle h = MethodHandles.publicLookup().findVirtual(Class.forName("com.sun.management.ThreadMXBean"),
                    "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class));
            return h.bindTo(bean);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("no per-thread allocation counter in this JVM", e);
        }
    }

    private static long allocated() {
        try {
            return (long) ALLOCATED.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /**
     * Bytes the current thread allocates per run of {@code body} once compiled: the least of
     * measurements taken after each of up to {@value #ROUNDS} warm-up rounds, stopping at
     * {@code target} (the interpreter and C1 allocate where C2's escape analysis does not).
     */
    static long bytesPerCall(long target, Runnable body) {
        long best = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS && best > target; round++) {
            for (int i = 0; i < WARM_UP; i++) {
                body.run();
            }
            long before = allocated();
            for (int i = 0; i < MEASURED; i++) {
                body.run();
            }
            long after = allocated();
            best = Math.min(best, (after - before) / MEASURED);
        }
        return best;
    }

    @Test
    void classicWriteThenRead_nativeAndHeapSegments_allocateNothing() {
        try (Fd efd = Fd.eventfd(0, 0, "eventfd"); Arena arena = Arena.ofConfined()) {
            ClassicIo io = new ClassicIo(efd, "eventfd", new BlockedCalls("eventfd"));
            MemorySegment nativeOne = arena.allocate(ValueLayout.JAVA_LONG);
            nativeOne.set(ValueLayout.JAVA_LONG, 0, 1);
            MemorySegment nativeIn = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment heapOne = MemorySegment.ofArray(new long[] {1});
            MemorySegment heapIn = MemorySegment.ofArray(new long[1]);
            long nativeBytes = bytesPerCall(0, () -> {
                io.write(nativeOne);
                io.read(nativeIn);
            });
            long heapBytes = bytesPerCall(0, () -> {
                io.write(heapOne);
                io.read(heapIn);
            });
            assertEquals(1, heapIn.get(ValueLayout.JAVA_LONG, 0));
            assertEquals(0, nativeBytes, "bytes per write+read, native segments");
            assertEquals(0, heapBytes, "bytes per write+read, heap segments");
        }
    }

    @Test
    void aioWriteThenRead_allocatesOnlyTheRequests() {
        try (Fd memfd = Fd.adopt(dev.gadget4j.linux.sys.Libc.memfdCreate("aio", Constants.MFD_CLOEXEC), "memfd");
                Arena arena = Arena.ofConfined()) {
            BlockedCalls blocked = new BlockedCalls("memfd");
            AioQueue queue = new AioQueue(memfd, "memfd", blocked);
            MemorySegment out = arena.allocate(4096, 4096);
            MemorySegment in = arena.allocate(4096, 4096);
            out.fill((byte) 5);
            Duration timeout = Duration.ofSeconds(5);
            long request = 2 * requestSize();
            long perRoundTrip = bytesPerCall(request, () -> {
                queue.submit(out, false).await(timeout);
                queue.submit(in, true).await(timeout);
            });
            queue.close();
            assertEquals(-1, out.mismatch(in));
            assertTrue(perRoundTrip <= request, perRoundTrip + " bytes per write+read round trip; two IoRequests are "
                    + request);
        }
    }

    /** What one IoRequest object costs: the test's allowance per submit. */
    private static long requestSize() {
        return 48;
    }
}
