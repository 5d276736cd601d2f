package dev.gadget4j.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.Strings;
import dev.gadget4j.linux.sys.FenceScratch;
import dev.gadget4j.linux.sys.Ioctl;
import dev.gadget4j.linux.sys.KernelThreads;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Threads asleep in an endpoint call before ENABLE (the function started, never bound; or bound
 * and then disabled by the host) are released by closing the endpoint or the gadget, with EBADF,
 * instead of sleeping until an ENABLE that never comes (and keeping the JVM alive); so is a
 * SETUP answer waiting for a host that gave up on the request, by closing the function. Needs
 * configfs and FunctionFS (and for the TRANSFER case a UDC with scatter-gather and
 * /dev/udmabuf): the VM tier.
 */
class BlockedBeforeEnableVmTest {
    /** How long a released thread may take to come back: far beyond the signal's few milliseconds. */
    private static final long JOIN_MILLIS = 30_000;
    private static final int VENDOR = 0x1209;
    private static final int PRODUCT = 0x0003;
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** Vendor request, device to host, interface recipient: FunctionFS hands it to the function. */
    private static final int VENDOR_IN = 0xc1;

    private static LinuxBackend backend() {
        assumeTrue(Files.isDirectory(Path.of("/sys/kernel/config")) && Files.isDirectory(Path.of("/sys/class/udc")),
                "no configfs with a UDC on this machine");
        return new LinuxBackend(SystemFiles.real());
    }

    @Test
    void readBlockedBeforeEnable_closingTheEndpoint_EBADF() throws Exception {
        runBlocked(ep -> ep.read(Arena.ofAuto().allocate(512)), 2, "read", false);
    }

    @Test
    void writeBlockedBeforeEnable_closingTheGadget_EBADF() throws Exception {
        runBlocked(ep -> ep.write(MemorySegment.ofArray(new byte[512])), 1, "write", true);
    }

    @Test
    void ioSubmitBlockedBeforeEnable_closingTheEndpoint_EBADF() throws Exception {
        runBlocked(ep -> ep.submitRead(Arena.ofAuto().allocate(512)).await(Duration.ofSeconds(60)), 2, "io_submit", false);
    }

    @Test
    void transferBlockedUntilEnable_closingTheEndpoint_EBADF() throws Exception {
        assumeTrue(Files.isWritable(Path.of("/dev/udmabuf")), "no usable /dev/udmabuf on this machine");
        try (LinuxBackend b = backend(); Gadget g = b.createGadget(spec("transfer"))) {
            FunctionFs ffs = enabled(g);
            try (HostDevice host = b.host().open(VENDOR, PRODUCT, WAIT);
                 DmaBuf buf = b.dmaBufs().allocate(64 * 1024)) {
                Endpoint in = ffs.endpoint(1);
                attachThenDisable(ffs, host, in, buf);
                Blocked t = Blocked.start("g4j-blk-transfer", () -> in.transfer(buf, buf.size()));
                in.close();
                assertEquals("FUNCTIONFS_DMABUF_TRANSFER", t.assertReleasedWithEbadf("TRANSFER").operation());
            }
        }
    }

    /**
     * A virtual thread's TRANSFER asleep until ENABLE must not hold up an unbind: the unbind's
     * drain reads the sleeping thread's {@code /proc} entry, so it must know the carrier the call
     * runs on, not the one the thread's scratch was made on. (When it looked at the first carrier,
     * the drain waited for good.)
     */
    @Test
    void transferAsleepOnAVirtualThreadThatChangedCarrier_unbindReturns() throws Exception {
        assumeTrue(Files.isWritable(Path.of("/dev/udmabuf")), "no usable /dev/udmabuf on this machine");
        assumeTrue(Integer.getInteger("jdk.virtualThreadScheduler.parallelism",
                Runtime.getRuntime().availableProcessors()) >= 2,
                "one carrier, a virtual thread cannot move: run with -Djdk.virtualThreadScheduler.parallelism=2");
        try (LinuxBackend b = backend(); Gadget g = b.createGadget(spec("vthread"))) {
            FunctionFs ffs = enabled(g);
            try (HostDevice host = b.host().open(VENDOR, PRODUCT, WAIT);
                 DmaBuf buf = b.dmaBufs().allocate(64 * 1024)) {
                Endpoint in = ffs.endpoint(1);
                try {
                    attachThenDisable(ffs, host, in, buf);
                    AtomicInteger carrier = new AtomicInteger();
                    AtomicReference<Throwable> outcome = new AtomicReference<>();
                    Thread v = Thread.ofVirtual().name("g4j-blk-vthread").start(() -> {
                        try {
                            int first = KernelThreads.gettid();
                            FenceScratch.current(); // made on the first carrier
                            long deadline = System.nanoTime() + WAIT.toNanos();
                            while (KernelThreads.gettid() == first && System.nanoTime() < deadline) {
                                Thread.sleep(1); // parked: it resumes on whichever carrier is free
                            }
                            carrier.set(KernelThreads.gettid() == first ? -1 : KernelThreads.gettid());
                            in.transfer(buf, buf.size());
                            outcome.set(new AssertionError("the TRANSFER returned"));
                        } catch (Throwable e) {
                            outcome.set(e);
                        }
                    });
                    int tid = awaitAsleepInTransfer(carrier, v, SleepingThreads.fdOf(in.path()));
                    Thread unbind = Thread.ofPlatform().daemon().name("g4j-unbind").start(g::unbind);
                    unbind.join(JOIN_MILLIS);
                    assertFalse(unbind.isAlive(), "unbind() did not return while a virtual thread (carrier tid "
                            + tid + ") slept in TRANSFER");
                    in.close();
                    v.join(JOIN_MILLIS);
                    GadgetException e = assertInstanceOf(GadgetException.class, outcome.get());
                    assertEquals(Errno.EBADF, e.errno(), e.getMessage());
                } finally {
                    in.close(); // releases the TRANSFER, and with it an unbind that waited for it
                }
            }
        }
    }

    /** The carrier tid of virtual thread {@code v} once it sleeps in TRANSFER on endpoint file {@code fd}. */
    private static int awaitAsleepInTransfer(AtomicInteger carrier, Thread v, int fd) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && v.isAlive()) {
            int tid = carrier.get();
            assumeTrue(tid != -1, "the virtual thread stayed on its first carrier");
            if (tid > 0 && KernelThreads.asleepInIoctl(tid, fd, Ioctl.FUNCTIONFS_DMABUF_TRANSFER)) {
                return tid;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the virtual thread's TRANSFER did not go to sleep in the kernel");
    }

    @Test
    void setupReplyWaitingForTheHost_closingTheFunction_EBADF() throws Exception {
        try (LinuxBackend b = backend(); Gadget g = b.createGadget(spec("ep0"))) {
            FunctionFs ffs = enabled(g);
            try (HostDevice host = b.host().open(VENDOR, PRODUCT, WAIT)) {
                AtomicReference<Throwable> hostOutcome = new AtomicReference<>();
                Thread request = Thread.ofPlatform().name("g4j-host-ctrl").start(() -> {
                    try (Arena arena = Arena.ofConfined()) {
                        host.control(VENDOR_IN, 0x12, 0, 0, arena.allocate(8), Duration.ofMillis(300));
                    } catch (Throwable e) {
                        hostOutcome.set(e);
                    }
                });
                Event.Setup setup = awaitEvent(ffs, Event.Setup.class);
                request.join();
                GadgetException gaveUp = assertInstanceOf(GadgetException.class, hostOutcome.get());
                assertEquals(Errno.ETIMEDOUT, gaveUp.errno(), gaveUp.getMessage());
                // The data stage now waits in the kernel until the host's next request.
                Blocked t = Blocked.start("g4j-blk-reply", () -> ffs.reply(setup, MemorySegment.ofArray(new byte[8])));
                ffs.close();
                assertEquals("write", t.assertReleasedWithEbadf("the SETUP's data stage").operation());
            }
        }
    }

    /**
     * Starts {@code call} on endpoint {@code number} in a thread, waits until that thread sleeps in
     * the kernel, closes the endpoint (or the whole gadget), and expects the call to fail with EBADF.
     */
    private static void runBlocked(Consumer<Endpoint> call, int number, String syscall, boolean closeGadget)
            throws Exception {
        try (LinuxBackend b = backend(); Gadget g = b.createGadget(spec("blocked"))) {
            Endpoint ep = started(g).endpoint(number);
            Blocked t = Blocked.start("g4j-blk-" + syscall.replace("_", ""), () -> call.accept(ep));
            if (closeGadget) {
                g.close();
            } else {
                ep.close();
            }
            t.assertReleasedWithEbadf(syscall + " blocked before ENABLE");
        }
    }

    private static GadgetSpec spec(String product) {
        return GadgetSpec.builder().name("g4jblk" + product).vendorId(VENDOR).productId(PRODUCT).product(product)
                .function("blk").build();
    }

    private static FunctionFs started(Gadget g) {
        FunctionFs ffs = g.functionFs("blk");
        ffs.start(Descriptors.sourceSink(), Strings.en("blocked"));
        return ffs;
    }

    private static FunctionFs enabled(Gadget g) {
        FunctionFs ffs = started(g);
        g.bind();
        awaitEvent(ffs, Event.Enable.class);
        return ffs;
    }

    /** ATTACH needs the function bound; the host then deconfigures it, and a TRANSFER sleeps until ENABLE. */
    private static void attachThenDisable(FunctionFs ffs, HostDevice host, Endpoint in, DmaBuf buf) {
        in.attach(buf);
        host.setConfiguration(0);
        awaitEvent(ffs, Event.Disable.class);
    }

    private static <E extends Event> E awaitEvent(FunctionFs ffs, Class<E> type) {
        return ffs.awaitEvent(type, WAIT).orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " within " + WAIT));
    }

    /** A thread whose call is expected to sleep in the kernel until a close releases it. */
    private record Blocked(Thread thread, AtomicReference<Throwable> outcome) {
        /** Starts {@code call} and returns once the thread sleeps in the kernel. */
        static Blocked start(String name, Runnable call) throws InterruptedException {
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    call.run();
                    outcome.set(new AssertionError(name + ": the call returned"));
                } catch (Throwable e) {
                    outcome.set(e);
                }
            }, name);
            t.setDaemon(true); // a thread the close fails to release must not keep the test JVM alive
            t.start();
            SleepingThreads.awaitAsleepInKernel(name, t);
            return new Blocked(t, outcome);
        }

        /** The thread came back after the close and its call failed with EBADF, which is returned. */
        GadgetException assertReleasedWithEbadf(String what) throws InterruptedException {
            thread.join(JOIN_MILLIS);
            assertFalse(thread.isAlive(), what + " asleep in the kernel was not released by close");
            GadgetException e = assertInstanceOf(GadgetException.class, outcome.get());
            assertEquals(Errno.EBADF, e.errno(), e.getMessage());
            return e;
        }
    }
}
