package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.gadget4j.linux.sys.Constants;
import dev.gadget4j.IoRequest;
import dev.gadget4j.linux.sys.Fd;
import dev.gadget4j.linux.sys.Poll;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The classic I/O and AIO paths allocate nothing per call once warmed up (AIO: when the caller
 * hands its finished requests back to be refilled, as the library's streams do), nor do pwrite
 * and poll, measured with the JVM's per-thread allocation counter on an eventfd (read/write,
 * poll) and a memfd (AIO, pwrite), which behave as endpoint files do for these calls.
 * Deterministic: it counts bytes, it does not time anything.
 */
class SteadyStateAllocationTest {
    private static final int WARM_UP = 10_000;
    private static final int MEASURED = 1_000;
    /** Warm-up rounds before giving up on a steady state (C2 compiles in the background). */
    private static final int ROUNDS = 60;
    /**
     * Wall time over which the rounds go on past {@value #ROUNDS} while the steady state is not
     * reached: on a host whose cores are busy (a VM beside the build) the compiler thread gets
     * little CPU, and 60 rounds take only about 4 s. A bound on waiting, not a timed measurement.
     */
    private static final long CONVERGE_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /** The calling thread's allocated bytes so far. */
    static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /**
     * Bytes the current thread allocates per run of {@code body} once compiled: the least of
     * measurements taken after each of at least {@value #ROUNDS} warm-up rounds (more for up to
     * {@link #CONVERGE_NANOS}), stopping at {@code target} (the interpreter and C1 allocate
     * where C2's escape analysis does not).
     */
    static long bytesPerCall(long target, Runnable body) {
        long best = Long.MAX_VALUE;
        long giveUp = System.nanoTime() + CONVERGE_NANOS;
        for (int round = 0; best > target && (round < ROUNDS || System.nanoTime() - giveUp < 0); round++) {
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
            ClassicIo io = new ClassicIo(efd, "eventfd", new BlockedCalls("eventfd"), true);
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
    void aioWriteThenRead_refillingTheRequests_allocatesNothing() {
        try (Fd memfd = memfd(); Arena arena = Arena.ofConfined()) {
            AioQueue queue = new AioQueue(memfd, "memfd", new BlockedCalls("memfd"));
            MemorySegment out = arena.allocate(4096, 4096);
            MemorySegment in = arena.allocate(4096, 4096);
            out.fill((byte) 5);
            Duration timeout = Duration.ofSeconds(5);
            IoRequest[] spent = new IoRequest[2];
            long perRoundTrip = bytesPerCall(0, () -> {
                IoRequest w = queue.submit(out, out.byteSize(), false, spent[0]);
                w.await(timeout);
                IoRequest r = queue.submit(in, in.byteSize(), true, spent[1]);
                r.await(timeout);
                spent[0] = w;
                spent[1] = r;
            });
            queue.close();
            assertEquals(-1, out.mismatch(in));
            assertEquals(0, perRoundTrip, "bytes per write+read round trip with the requests refilled");
        }
    }

    @Test
    void aioRefill_onlyOfAFinishedRequestOfTheSameQueue() {
        try (Fd memfd = memfd(); Fd other = memfd(); Arena arena = Arena.ofConfined()) {
            AioQueue queue = new AioQueue(memfd, "memfd", new BlockedCalls("memfd"));
            AioQueue otherQueue = new AioQueue(other, "memfd 2", new BlockedCalls("memfd 2"));
            MemorySegment buf = arena.allocate(4096, 4096);
            buf.fill((byte) 7);
            Duration timeout = Duration.ofSeconds(5);
            IoRequest first = queue.submit(buf, 100, false, null);
            // not reaped yet: still pending as far as the queue knows, so not refilled
            IoRequest second = queue.submit(buf, 200, false, first);
            assertNotSame(first, second);
            assertEquals(100, first.await(timeout));
            assertEquals(200, second.await(timeout));
            IoRequest third = queue.submit(buf, 300, false, first);
            assertSame(first, third, "a reaped request of this queue is refilled");
            assertEquals(300, third.await(timeout), "the refilled request reports its new result");
            IoRequest foreign = otherQueue.submit(buf, 50, false, third);
            assertNotSame(third, foreign, "another queue's request is left alone");
            assertEquals(50, foreign.await(timeout));
            MemorySegment back = MemorySegment.ofArray(new byte[64]);
            IoRequest read = queue.submit(back, 64, true, third);
            assertSame(third, read);
            assertEquals(64, read.await(timeout));
            assertEquals(7, back.get(ValueLayout.JAVA_BYTE, 63), "a heap read through a refilled request is copied back");
            queue.close();
            otherQueue.close();
        }
    }

    @Test
    void pwriteAndPoll_allocateNothing() {
        try (Fd memfd = memfd(); Fd efd = Fd.eventfd(0, Constants.EFD_NONBLOCK, "eventfd");
             Arena arena = Arena.ofConfined()) {
            MemorySegment page = arena.allocate(4096, 4096);
            long pwrite = bytesPerCall(0, () -> memfd.pwrite(page, 0));
            long poll = bytesPerCall(0, () -> Poll.poll(efd, Constants.POLLIN, 0L));
            assertEquals(0, pwrite, "bytes per pwrite");
            assertEquals(0, poll, "bytes per poll with timeout 0");
        }
    }

    private static Fd memfd() {
        return Fd.adopt(dev.gadget4j.linux.sys.Libc.memfdCreate("aio", Constants.MFD_CLOEXEC), "memfd");
    }
}
