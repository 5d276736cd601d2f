package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.io.BufferedReader;
import java.io.Writer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
    private static final String CLOSER = "g4j-closer";

    @Test
    void closingOneFunction_whileItsSiblingStreamsDmaBuf_endsTheStreamCleanly() throws Exception {
        assumeTrue(Files.isWritable(Path.of("/dev/udmabuf")), "no usable /dev/udmabuf on this machine");
        for (int cycle = 0; cycle < CYCLES; cycle++) {
            oneCycle(cycle, (a, sibling) -> a.close());
        }
    }

    /**
     * The same with the window held open, so that hitting it does not depend on timing: the
     * closing thread is held right after its ep0 close (the gadget is unbound by then) by
     * {@code syscall-pause} (native-shim/peer, ptrace on that one thread), and meanwhile the
     * sibling's TRANSFER and DETACH must fail with ENODEV in the library. When only the closed
     * function was lowered before ep0's close, they reached the kernel's NULL gadget here.
     */
    @Test
    void siblingCallsWhileTheCloserIsHeldAfterEp0sClose_ENODEV() throws Exception {
        assumeTrue(Files.isWritable(Path.of("/dev/udmabuf")), "no usable /dev/udmabuf on this machine");
        String dir = System.getenv("GADGET4J_PEER_DIR");
        assertNotNull(dir, "GADGET4J_PEER_DIR (the VM tier sets it) names where syscall-pause is");
        Path pause = Path.of(dir, "syscall-pause");
        assertTrue(Files.isExecutable(pause), pause + " is missing: make -C native-shim/peer");
        oneCycle(0, (a, sibling) -> closeHeldAfterEp0(a, sibling, pause));
    }

    /** The sibling function's streaming side: its endpoint, buffers, thread and transfers in flight. */
    private record Sibling(Endpoint ep, DmaBuf buf0, DmaBuf buf1, Thread streamer, ArrayDeque<Transfer> inFlight) {
    }

    /** Closes function {@code a} while {@code sibling} streams. */
    @FunctionalInterface
    private interface Closer {
        void close(FunctionFs a, Sibling sibling) throws Exception;
    }

    private static void closeHeldAfterEp0(FunctionFs a, Sibling sibling, Path pause) throws Exception {
        String ep0 = ((LinuxFunctionFs) a).ep0Path();
        int fd = SleepingThreads.fdOf(ep0);
        assertNotEquals(-1, fd, "no open file for " + ep0);
        CountDownLatch go = new CountDownLatch(1);
        AtomicReference<Throwable> closeFailure = new AtomicReference<>();
        Thread closer = Thread.ofPlatform().name(CLOSER).start(() -> {
            try {
                go.await();
                a.close();
            } catch (Throwable t) {
                closeFailure.set(t);
            }
        });
        int tid = SleepingThreads.tidOf(CLOSER);
        assertNotEquals(-1, tid, "no task for " + CLOSER);
        Process helper = new ProcessBuilder(pause.toString(), Long.toString(ProcessHandle.current().pid()),
                Integer.toString(tid), Integer.toString(fd)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = helper.inputReader(); Writer in = helper.outputWriter()) {
            assertEquals("attached", out.readLine());
            go.countDown();
            assertEquals("paused", out.readLine(), "the closer did not close ep0");
            Path udc = Path.of("/sys/kernel/config/usb_gadget/g4jsib/UDC");
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!Files.readString(udc).isBlank() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(Files.readString(udc).isBlank(), "ep0's close did not unbind the gadget");
            sibling.streamer().join(WAIT.toMillis());
            assertFalse(sibling.streamer().isAlive(), "the sibling still streams on an unbound gadget");
            for (Transfer t : sibling.inFlight()) {
                t.waitFor(WAIT);
            }
            GadgetException transfer = assertThrows(GadgetException.class, () -> sibling.ep().transfer(sibling.buf0(), SIZE));
            assertEquals(Errno.ENODEV, transfer.errno(), transfer.getMessage());
            GadgetException detach = assertThrows(GadgetException.class, () -> sibling.ep().detach(sibling.buf1()));
            assertEquals(Errno.ENODEV, detach.errno(), detach.getMessage());
            in.write("go\n");
        } finally {
            // The end of its input (the writer's close above) lets the closer go on, too.
            if (!helper.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                helper.destroy();
            }
            go.countDown();
            closer.join();
        }
        assertNull(closeFailure.get(), () -> "closing a failed: " + closeFailure.get());
    }

    private static void oneCycle(int cycle, Closer closer) throws Exception {
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
                ArrayDeque<Transfer> q = new ArrayDeque<>();
                Thread streamer = Thread.ofPlatform().name("stream").start(() -> {
                    DmaBuf[] bufs = {buf0, buf1};
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
                closer.close(a, new Sibling(ep, buf0, buf1, streamer, q)); // unbinds the gadget: b must be lowered before
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
