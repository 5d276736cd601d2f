package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.Transfer;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * What a DMABUF transfer costs the Java heap once the JIT has compiled the path: the bytes the
 * streaming thread allocates per transfer (TRANSFER, sync_file export, FILE_INFO, poll, close,
 * and the wait) measured with {@code ThreadMXBean#getCurrentThreadAllocatedBytes} around
 * 2000 transfers after 30000 of warm-up, both directions, two buffers in
 * flight, the host side (usbfs) on another thread. Allocation counts are deterministic, not a
 * timing. Needs a UDC with scatter-gather (the VM's patched dummy_hcd) and /dev/udmabuf.
 *
 * <p>The only object a transfer may allocate is the {@link Transfer} handle the API returns
 * (the caller keeps it in its queue, so it escapes).
 */
class DmaBufSteadyStateVmTest {
    private static final int VENDOR = 0x1209;
    private static final int PRODUCT = 0x0002;
    private static final long SIZE = 16 * 1024;
    private static final int DEPTH = 2;
    /** Overridable for a short run under strace (syscalls per transfer). */
    private static final int WARMUP = Integer.getInteger("gadget4j.test.warmup", 30_000);
    private static final int MEASURED = Integer.getInteger("gadget4j.test.measured", 2_000);
    /**
     * The {@link LinuxTransfer} object (80 B). While FILE_INFO and a sync_file's close captured
     * errno on every call, the FFM capture check's segment slice, which C2's escape analysis
     * removes in some compilations only, made IN vary from 72 to 153 B per transfer across runs
     * of the same code; without it 80 B in 3 of 3 runs. The lock-and-arena path this replaced
     * took 1407-1432 B; the test is there to catch that kind of regression, and prints the exact
     * figure.
     */
    private static final long BOUND_BYTES = 256;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void in_steadyState_allocatesAboutTheHandle() throws Exception {
        long n = perTransfer(true);
        assertTrue(n <= BOUND_BYTES, n + " bytes per IN transfer");
    }

    @Test
    void out_steadyState_allocatesAboutTheHandle() throws Exception {
        long n = perTransfer(false);
        assertTrue(n <= BOUND_BYTES, n + " bytes per OUT transfer");
    }

    private static long perTransfer(boolean in) throws Exception {
        assumeTrue(Files.isWritable(Path.of("/dev/udmabuf")), "no usable /dev/udmabuf on this machine");
        try (LinuxBackend backend = new LinuxBackend(SystemFiles.real());
             Gadget gadget = backend.createGadget(GadgetSpec.builder().name("g4jalloc").vendorId(VENDOR)
                     .productId(PRODUCT).product("gadget4j allocation").function("alloc").build())) {
            FunctionFs ffs = gadget.functionFs("alloc");
            ffs.start(Descriptors.sourceSink(), Strings.en("gadget4j allocation"));
            gadget.bind();
            awaitEnable(ffs);
            try (HostDevice host = backend.host().open(VENDOR, PRODUCT, WAIT);
                 Endpoint ep = ffs.endpoint(in ? 1 : 2);
                 Arena arena = Arena.ofShared()) {
                host.claimInterface(0);
                int hostEp = hostEndpoint(host, in);
                AtomicBoolean stop = new AtomicBoolean();
                MemorySegment hostBuf = arena.allocate(SIZE);
                Thread peer = Thread.ofPlatform().name("host").start(() -> {
                    while (!stop.get()) {
                        try {
                            host.bulk(hostEp, hostBuf, Duration.ofMillis(500));
                        } catch (RuntimeException e) {
                            // a timeout at the end, when the gadget stops queueing
                        }
                    }
                });
                DmaBuf[] bufs = new DmaBuf[DEPTH];
                try {
                    for (int i = 0; i < DEPTH; i++) {
                        bufs[i] = backend.dmaBufs().allocate(SIZE);
                        ep.attach(bufs[i]);
                    }
                    ArrayDeque<Transfer> q = new ArrayDeque<>(DEPTH * 2);
                    stream(ep, bufs, q, WARMUP);
                    SteadyStateAllocationTest.allocated(); // its own first-call costs before the measurement
                    long first = SteadyStateAllocationTest.allocated();
                    long call = SteadyStateAllocationTest.allocated() - first; // what one reading allocates itself
                    long before = SteadyStateAllocationTest.allocated();
                    stream(ep, bufs, q, MEASURED);
                    long bytes = SteadyStateAllocationTest.allocated() - before - call;
                    long per = bytes / MEASURED;
                    System.out.printf("DMABUF %s %d KiB, depth %d: %d bytes allocated over %d transfers after %d of "
                                    + "warm-up = %d bytes per transfer%n", in ? "IN" : "OUT", SIZE / 1024, DEPTH, bytes,
                            MEASURED, WARMUP, per);
                    for (Transfer t : q) {
                        t.await(WAIT);
                    }
                    return per;
                } finally {
                    stop.set(true);
                    peer.join();
                    for (DmaBuf b : bufs) {
                        if (b != null) {
                            b.close();
                        }
                    }
                }
            }
        }
    }

    /** {@code count} transfers, {@link #DEPTH} in flight, each awaited in order; no allocation of its own. */
    private static void stream(Endpoint ep, DmaBuf[] bufs, ArrayDeque<Transfer> q, int count) {
        int next = 0;
        for (int i = 0; i < count; i++) {
            if (q.size() == DEPTH) {
                Transfer done = q.poll();
                done.await(WAIT);
                assertEquals(Optional.empty(), done.status());
            }
            q.add(ep.transfer(bufs[next], SIZE));
            next = (next + 1) % DEPTH;
        }
    }

    /** The address of the function's bulk IN or OUT endpoint, from the configuration descriptor. */
    static int hostEndpoint(HostDevice host, boolean in) {
        byte[] c = host.configurationDescriptor();
        for (int i = 0; i + 1 < c.length && c[i] != 0; i += c[i] & 0xff) {
            if (c[i + 1] == 5 && ((c[i + 2] & 0x80) != 0) == in) {
                return c[i + 2] & 0xff;
            }
        }
        throw new AssertionError("no bulk " + (in ? "IN" : "OUT") + " endpoint");
    }

    private static void awaitEnable(FunctionFs ffs) {
        // SETUPs on the way are stalled, as the host's enumeration needs an answer.
        ffs.awaitEvent(Event.Enable.class, WAIT).orElseThrow(() -> new AssertionError("no ENABLE within " + WAIT));
    }
}
