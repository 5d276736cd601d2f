package dev.gadget4j.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.stream.Ep0;
import dev.gadget4j.stream.InStream;
import dev.gadget4j.stream.OutStream;
import dev.gadget4j.stream.StreamPath;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A steady stream allocates nothing per transfer: the streams refill their request handles
 * (through the backends' internal {@code RecyclingEndpoint}), and the simulated host refills the
 * URB of its synchronous bulk call. Measured on the streaming thread, which also plays the host,
 * with the JVM's per-thread allocation counter: the least of at least {@value #ROUNDS} rounds of
 * {@value #MEASURED} transfers, each after {@value #WARM_UP} more (the interpreter and C1 allocate
 * where C2's escape analysis does not), and of more rounds for up to a minute while that is not
 * 0 (a compiler thread starved by a busy host). Counts bytes, times nothing.
 */
class SimStreamAllocationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int SIZE = 16 * 1024;
    private static final int WARM_UP = 20_000;
    private static final int MEASURED = 2_000;
    private static final int ROUNDS = 30;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    private static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    @ParameterizedTest
    @EnumSource(value = StreamPath.class, names = {"DMABUF", "AIO"})
    void steadyStream_bothDirections_allocatesNothingPerTransfer(StreamPath path) {
        try (SimBackend backend = SimBackend.open();
             Gadget gadget = backend.createGadget(GadgetSpec.builder().vendorId(0x0525).productId(0xa4a4).function("f").build());
             Arena arena = Arena.ofShared()) {
            FunctionFs ffs = gadget.functionFs("f");
            ffs.start(Descriptors.sourceSink(), Strings.en("alloc"));
            try (Ep0 ep0 = Ep0.serve(ffs)) {
                gadget.bind();
                assertTrue(ep0.awaitEnabled(WAIT));
                HostDevice host = backend.host().open(0x0525, 0xa4a4, WAIT);
                MemorySegment hostBuf = arena.allocate(SIZE);
                try (InStream in = InStream.on(ep0, 1).bufferSize(SIZE).depth(2).path(path).dmaBufs(backend.dmaBufs()).open();
                     OutStream out = OutStream.on(ep0, 2).bufferSize(SIZE).depth(2).path(path).dmaBufs(backend.dmaBufs())
                             .open()) {
                    long inBytes = leastPerTransfer(() -> in.send(SIZE, WAIT) && host.bulk(0x81, hostBuf, WAIT) == SIZE);
                    out.receive(null, Duration.ofMillis(1)); // queues its reads; nothing has arrived yet
                    long outBytes = leastPerTransfer(() -> host.bulk(0x02, hostBuf, WAIT) == SIZE && out.receive(null, WAIT));
                    assertEquals(path, in.path());
                    assertEquals(path, out.path());
                    assertEquals(0, inBytes, path + " IN: bytes per transfer");
                    assertEquals(0, outBytes, path + " OUT: bytes per transfer");
                }
            }
        }
    }

    /**
     * A stream whose host does nothing times out at every call without allocating: a wait that
     * runs out is a result, not an exception (whose stack trace is allocated at every throw).
     * Both directions, zero timeout: the sends time out on the oldest of the full queue, the
     * receives on reads the host never answers.
     */
    @ParameterizedTest
    @EnumSource(value = StreamPath.class, names = {"DMABUF", "AIO"})
    void idleStream_timeouts_allocateNothing(StreamPath path) {
        try (SimBackend backend = SimBackend.open();
             Gadget gadget = backend.createGadget(GadgetSpec.builder().vendorId(0x0525).productId(0xa4a4).function("f").build())) {
            FunctionFs ffs = gadget.functionFs("f");
            ffs.start(Descriptors.sourceSink(), Strings.en("alloc"));
            try (Ep0 ep0 = Ep0.serve(ffs)) {
                gadget.bind();
                assertTrue(ep0.awaitEnabled(WAIT));
                try (InStream in = InStream.on(ep0, 1).bufferSize(SIZE).depth(2).path(path).dmaBufs(backend.dmaBufs()).open();
                     OutStream out = OutStream.on(ep0, 2).bufferSize(SIZE).depth(2).path(path).dmaBufs(backend.dmaBufs())
                             .open()) {
                    assertTrue(in.send(SIZE, WAIT)); // two buffers queued: the host reads nothing,
                    assertTrue(in.send(SIZE, WAIT)); // so every send from here on waits for the oldest
                    assertFalse(out.receive(null, Duration.ofMillis(1))); // queues its reads
                    long inBytes = leastPerTransfer(() -> !in.send(SIZE, Duration.ZERO));
                    long outBytes = leastPerTransfer(() -> !out.receive(null, Duration.ZERO));
                    assertEquals(path, in.path());
                    assertEquals(path, out.path());
                    assertEquals(0, inBytes, path + " IN: bytes per timed-out send");
                    assertEquals(0, outBytes, path + " OUT: bytes per timed-out receive");
                }
            }
        }
    }

    private static long leastPerTransfer(BooleanSupplier transfer) {
        long best = Long.MAX_VALUE;
        long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (int round = 0; best > 0 && (round < ROUNDS || System.nanoTime() - giveUp < 0); round++) {
            run(transfer, WARM_UP);
            long before = allocated();
            run(transfer, MEASURED);
            best = Math.min(best, (allocated() - before) / MEASURED);
        }
        return best;
    }

    private static void run(BooleanSupplier transfer, int count) {
        for (int i = 0; i < count; i++) {
            assertTrue(transfer.getAsBoolean(), "a call did not end as expected");
        }
    }
}
