package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.jfr.GadgetEvents;
import dev.gadget4j.stream.EndpointStream;
import dev.gadget4j.stream.Ep0;
import dev.gadget4j.stream.InStream;
import dev.gadget4j.stream.OutStream;
import dev.gadget4j.stream.StreamPath;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * What the library's streams cost the Java heap on the real kernel once C2 has compiled the path:
 * nothing per transfer, on the DMABUF and the AIO path, both directions (the streams refill their
 * spent handles and wait by deadline; the JFR events are off: no recording runs). Before C2 the
 * path does allocate (seen in a fresh JVM on TCG: 64 B per AIO IN and 178 B per DMABUF IN
 * transfer over the first 3000), so the streaming thread's allocation
 * ({@code ThreadMXBean#getCurrentThreadAllocatedBytes}) is read around rounds of
 * {@value #MEASURED} transfers, each after {@value #WARM_UP} more, until a round allocates less
 * than one byte per transfer or {@value #BUDGET_SECONDS} s have passed; the least round counts
 * and must stay below one handle per transfer.
 * A passing direction ends at its first clean round. Two buffers of 16 KiB in flight; the host
 * side (usbfs) runs on another thread. Counts bytes; each round's time is printed. The same
 * holds for a stream whose host moves nothing: its calls time out without an exception.
 */
class StreamSteadyStateVmTest {
    private static final int VENDOR = 0x1209;
    private static final int PRODUCT = 0x0003;
    private static final int SIZE = 16 * 1024;
    private static final int WARM_UP = 3_000;
    private static final int MEASURED = 1_000;
    private static final int BUDGET_SECONDS = 30;
    /** One {@link LinuxTransfer} (or AIO request) handle: what a stream that does not refill pays. */
    private static final long HANDLE_BYTES = 72;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void dmabuf_in_and_out_allocateNothingPerTransfer() throws Exception {
        assertBothDirectionsAllocateNothing(usable(StreamPath.DMABUF));
    }

    @Test
    void aio_in_and_out_allocateNothingPerTransfer() throws Exception {
        assertBothDirectionsAllocateNothing(usable(StreamPath.AIO));
    }

    @Test
    void dmabuf_idleTimeouts_allocateNothing() throws Exception {
        assertIdleTimeoutsAllocateNothing(usable(StreamPath.DMABUF));
    }

    @Test
    void aio_idleTimeouts_allocateNothing() throws Exception {
        assertIdleTimeoutsAllocateNothing(usable(StreamPath.AIO));
    }

    /** {@code path}, once this machine can stream on it (else the test is skipped, a failure in the VM). */
    private static StreamPath usable(StreamPath path) {
        if (path == StreamPath.DMABUF) {
            assumeTrue(Files.isWritable(Path.of("/dev/udmabuf")), "no usable /dev/udmabuf on this machine");
        } else {
            assumeTrue(Files.isDirectory(Path.of("/sys/kernel/config/usb_gadget")) && Files.isDirectory(Path.of("/sys/class/udc")),
                    "no configfs gadget support or no UDC on this machine");
        }
        return path;
    }

    /**
     * A stream whose host moves nothing times out at every call, and a timeout is a result, not an
     * exception (about 3.9 KB with its stack trace, at every call): the sends wait for the oldest
     * of a full queue, the receives for reads the host never answers, each with a zero timeout.
     */
    private static void assertIdleTimeoutsAllocateNothing(StreamPath path) throws Exception {
        onEnabledFunction((backend, ep0) -> {
            try (InStream in = InStream.on(ep0, 1).bufferSize(SIZE).depth(2).path(path)
                    .dmaBufs(backend.dmaBufs()).open();
                 OutStream out = OutStream.on(ep0, 2).bufferSize(SIZE).depth(2).path(path)
                         .dmaBufs(backend.dmaBufs()).open()) {
                assertTrue(in.send(SIZE, WAIT)); // two buffers queued, none read:
                assertTrue(in.send(SIZE, WAIT)); // every later send waits for the oldest
                assertFalse(out.receive(null, Duration.ofMillis(1))); // queues its reads
                assertEquals(path, out.path(), out.status());
                assertLessThanAHandle(in, path, "per timed-out send", leastPerTransfer(() -> !in.send(SIZE, Duration.ZERO)));
                assertLessThanAHandle(out, path, "per timed-out receive",
                        leastPerTransfer(() -> !out.receive(null, Duration.ZERO)));
            }
        });
    }

    private static void assertBothDirectionsAllocateNothing(StreamPath path) throws Exception {
        onEnabledFunction((backend, ep0) -> {
            try (HostDevice host = backend.host().open(VENDOR, PRODUCT, WAIT);
                 Arena arena = Arena.ofShared()) {
                host.claimInterface(0);
                MemorySegment hostBuf = arena.allocate(SIZE);
                try (InStream in = InStream.on(ep0, 1).bufferSize(SIZE).depth(2).path(path)
                        .dmaBufs(backend.dmaBufs()).open()) {
                    assertNothingPerTransfer(in, path, host, hostBuf, () -> in.send(SIZE, WAIT));
                }
                try (OutStream out = OutStream.on(ep0, 2).bufferSize(SIZE).depth(2).path(path)
                        .dmaBufs(backend.dmaBufs()).open()) {
                    assertNothingPerTransfer(out, path, host, hostBuf, () -> out.receive(null, WAIT));
                }
            }
        });
    }

    /** What runs on an enabled source/sink function. */
    private interface OnFunction {
        void run(LinuxBackend backend, Ep0 ep0) throws Exception;
    }

    /** Composes and binds a source/sink gadget, waits for ENABLE, runs {@code body}; JFR events off. */
    private static void onEnabledFunction(OnFunction body) throws Exception {
        assertFalse(GadgetEvents.isEnabled(), "measured with the JFR events off");
        try (LinuxBackend backend = new LinuxBackend(SystemFiles.real());
             Gadget gadget = backend.createGadget(GadgetSpec.builder().name("g4jstream").vendorId(VENDOR)
                     .productId(PRODUCT).product("gadget4j stream allocation").function("alloc").build())) {
            FunctionFs ffs = gadget.functionFs("alloc");
            ffs.start(Descriptors.sourceSink(), Strings.en("gadget4j stream allocation"));
            try (Ep0 ep0 = Ep0.serve(ffs)) {
                gadget.bind();
                assertTrue(ep0.awaitEnabled(WAIT), "no ENABLE within " + WAIT);
                body.run(backend, ep0);
            }
        }
    }

    /** {@link #leastPerTransfer} of {@code transfer} is 0 while a host thread moves the data. */
    private static void assertNothingPerTransfer(EndpointStream stream, StreamPath path, HostDevice host,
                                                 MemorySegment hostBuf, BooleanSupplier transfer) throws InterruptedException {
        boolean in = stream instanceof InStream;
        int hostEp = DmaBufSteadyStateVmTest.hostEndpoint(host, in);
        AtomicBoolean stop = new AtomicBoolean();
        Thread peer = Thread.ofPlatform().name("host").start(() -> {
            while (!stop.get()) {
                try {
                    host.bulk(hostEp, hostBuf, Duration.ofMillis(500));
                } catch (RuntimeException e) {
                    // a timeout at the end, when the gadget stops queueing
                }
            }
        });
        long perTransfer;
        try {
            perTransfer = leastPerTransfer(transfer);
        } finally {
            stop.set(true);
            peer.join();
        }
        assertLessThanAHandle(stream, path, "per transfer", perTransfer);
    }

    private static void assertLessThanAHandle(EndpointStream stream, StreamPath path, String per, long bytes) {
        String what = "stream " + path + " " + (stream instanceof InStream ? "IN" : "OUT");
        System.out.printf("%s %d KiB, depth 2: %d bytes allocated %s (least round)%n", what, SIZE / 1024, bytes, per);
        assertEquals(path, stream.path());
        // Exactly 0 in a JVM whose C2 has settled (seen); in a fresh JVM under TCG escape analysis
        // had not removed everything after 8000 transfers (39 B). Less than a handle per transfer
        // proves the handles are refilled; the simulator's test asserts the exact 0.
        assertTrue(bytes < HANDLE_BYTES, what + ": " + bytes + " bytes allocated " + per);
    }

    private static long leastPerTransfer(BooleanSupplier transfer) {
        long end = System.nanoTime() + BUDGET_SECONDS * 1_000_000_000L;
        long best = Long.MAX_VALUE;
        for (int round = 0; best > 0 && (round < 2 || System.nanoTime() < end); round++) {
            long t0 = System.nanoTime();
            run(transfer, WARM_UP);
            long before = SteadyStateAllocationTest.allocated();
            run(transfer, MEASURED);
            long bytes = SteadyStateAllocationTest.allocated() - before;
            best = Math.min(best, bytes / MEASURED);
            System.out.printf("  round %d: %d bytes over %d transfers (%d ms with the %d before)%n", round, bytes,
                    MEASURED, (System.nanoTime() - t0) / 1_000_000, WARM_UP);
        }
        return best;
    }

    private static void run(BooleanSupplier transfer, int count) {
        for (int i = 0; i < count; i++) {
            if (!transfer.getAsBoolean()) {
                throw new AssertionError("a call did not end as expected (a transfer timed out after " + WAIT
                        + ", or an idle stream's call did not time out)");
            }
        }
    }
}
