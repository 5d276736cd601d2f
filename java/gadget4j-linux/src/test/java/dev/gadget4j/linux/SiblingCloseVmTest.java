package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.EndpointOption;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A two-function gadget: function {@code b} streams DMABUF IN transfers to the host while
 * function {@code a} is closed. Closing a's ep0 unbinds the whole gadget, so b must be lowered
 * and drained first: its streaming thread then ends with ENODEV from the library (or the
 * kernel's ESHUTDOWN/ECONNRESET for transfers already queued, EAGAIN once the endpoint is
 * disabled: it is non-blocking, so no TRANSFER sleeps for an ENABLE that never comes), and the kernel log stays clean
 * (6.12 dereferences a NULL gadget for a TRANSFER after unbind; run-vm fails on an oops).
 */
class SiblingCloseVmTest {
    private static final int VENDOR = 0x1209;
    private static final int PRODUCT = 0x0003;
    private static final long SIZE = 16 * 1024;
    private static final int CYCLES = 5;
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void closingOneFunction_whileItsSiblingStreamsDmaBuf_endsTheStreamCleanly() throws Exception {
        assumeTrue(Files.isWritable(Path.of("/dev/udmabuf")), "no usable /dev/udmabuf on this machine");
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            oneCycle(cycle);
        }
    }

    private static void oneCycle(int cycle) throws Exception {
        try (LinuxBackend backend = new LinuxBackend(SystemFiles.real());
             Gadget gadget = backend.createGadget(GadgetSpec.builder().name("g4jsib").vendorId(VENDOR)
                     .productId(PRODUCT).product("gadget4j siblings").function("a").function("b").build())) {
            FunctionFs a = gadget.functionFs("a");
            FunctionFs b = gadget.functionFs("b");
            a.start(Descriptors.sourceSink(), Strings.en("a"));
            b.start(Descriptors.sourceSink(), Strings.en("b"));
            gadget.bind();
            awaitEnable(b);
            try (HostDevice host = backend.host().open(VENDOR, PRODUCT, WAIT);
                 Endpoint ep = b.endpoint(1, EndpointOption.NON_BLOCKING);
                 DmaBuf buf0 = backend.dmaBufs().allocate(SIZE);
                 DmaBuf buf1 = backend.dmaBufs().allocate(SIZE);
                 Arena arena = Arena.ofShared()) {
                host.claimInterface(1);
                int hostIn = inEndpointOfInterface(host, 1);
                ep.attach(buf0);
                ep.attach(buf1);
                AtomicBoolean stop = new AtomicBoolean();
                MemorySegment hostBuf = arena.allocate(SIZE);
                Thread reader = Thread.ofPlatform().name("host").start(() -> {
                    while (!stop.get()) {
                        try {
                            host.bulk(hostIn, hostBuf, Duration.ofMillis(300));
                        } catch (RuntimeException e) {
                            // the device goes away mid-read
                        }
                    }
                });
                AtomicReference<GadgetException> end = new AtomicReference<>();
                AtomicBoolean streaming = new AtomicBoolean();
                long[] moved = new long[1];
                Thread streamer = Thread.ofPlatform().name("stream").start(() -> {
                    DmaBuf[] bufs = {buf0, buf1};
                    ArrayDeque<Transfer> q = new ArrayDeque<>();
                    try {
                        for (int i = 0; ; i++) {
                            if (q.size() == 2) {
                                q.poll().await(WAIT);
                                moved[0]++;
                                streaming.set(true);
                            }
                            q.add(ep.transfer(bufs[i & 1], SIZE));
                        }
                    } catch (GadgetException e) {
                        end.set(e);
                    }
                });
                while (!streaming.get() && streamer.isAlive()) {
                    Thread.onSpinWait();
                }
                a.close(); // unbinds the gadget: b must be lowered before
                streamer.join();
                stop.set(true);
                reader.join();
                GadgetException e = end.get();
                assertTrue(moved[0] > 0, "cycle " + cycle + ": the stream never started");
                assertTrue(e != null && (e.errno() == Errno.ENODEV || e.errno() == Errno.ESHUTDOWN
                        || e.errno() == Errno.ECONNRESET || e.errno() == Errno.EAGAIN), "cycle " + cycle + ": " + e);
                assertEquals(false, ((LinuxFunctionFs) b).isBound());
                System.out.printf("cycle %d: %d transfers, then %s%n", cycle, moved[0], e.errno());
            }
        }
    }

    /** The bulk IN endpoint address of interface {@code number} in the configuration descriptor. */
    private static int inEndpointOfInterface(HostDevice host, int number) {
        byte[] c = host.configurationDescriptor();
        int current = -1;
        for (int i = 0; i + 1 < c.length && c[i] != 0; i += c[i] & 0xff) {
            if (c[i + 1] == 4) {
                current = c[i + 2] & 0xff;
            } else if (c[i + 1] == 5 && current == number && (c[i + 2] & 0x80) != 0) {
                return c[i + 2] & 0xff;
            }
        }
        throw new AssertionError("no bulk IN endpoint on interface " + number);
    }

    private static void awaitEnable(FunctionFs ffs) {
        // SETUPs on the way are stalled, as the host's enumeration needs an answer.
        ffs.awaitEvent(Event.Enable.class, WAIT).orElseThrow(() -> new AssertionError("no ENABLE within " + WAIT));
    }
}
