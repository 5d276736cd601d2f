package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static dev.gadget4j.conformance.ErrnoAssertions.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.gadget4j.Backend;
import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetException;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.IoRequest;
import dev.gadget4j.Transfer;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Behaviour where a simulator once differed from the kernel: a driver written against the
 * simulator must neither stall nor fail on a board because of any of these.
 */
class DivergenceConformanceTest {
    private static final int VENDOR_IN = 0xc1;
    private static final int SIZE = 4096;
    /** How long a call must stay blocked to count as waiting. */
    private static final Duration SHORT = Duration.ofMillis(300);
    /**
     * bMaxPower per configfs MaxPower (mA), worked out by hand from composite.c's
     * encode_bMaxPower: 0 stands for CONFIG_USB_GADGET_VBUS_DRAW (2 mA), units of 2 mA capped at
     * 500 below SuperSpeed and of 8 mA capped at 900 at SuperSpeed, rounding down.
     */
    private static final Map<Integer, Integer> HIGH_SPEED_MAX_POWER = Map.of(0, 1, 101, 50, 500, 250, 900, 250);
    private static final Map<Integer, Integer> SUPER_SPEED_MAX_POWER = Map.of(0, 0, 101, 12, 500, 62, 900, 112);
    private final Fixture fixture = Fixture.current();

    // ---- DMA_BUF_IOCTL_SYNC waits for the reservation, with no time limit ----

    @Test
    @ExtendWith(DmaBufCases.class)
    void cpuRead_pendingOutTransfer_waitsForIt() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint out = h.out();
            DmaBuf buf = h.track(h.backend.dmaBufs().allocate(SIZE));
            out.attach(buf);
            Transfer t = out.transfer(buf, 512);
            Background<Long> cpu = Background.start(() -> {
                buf.beginCpuAccess(DmaBuf.Access.READ);
                try {
                    return Patterns.mismatch(buf.segment(), 512, 21);
                } finally {
                    buf.endCpuAccess(DmaBuf.Access.READ);
                }
            });
            assertTrue(cpu.stillBlockedAfter(SHORT), "SYNC_START(READ) must wait for the OUT transfer's fence");
            MemorySegment data = arena.allocate(512);
            Patterns.fill(data, 512, 21);
            assertEquals(512, h.host.bulk(h.hostOut, data, WAIT));
            t.await(WAIT);
            assertEquals(-1L, cpu.get(WAIT), "the CPU sees the data the transfer wrote");
        }
    }

    @Test
    @ExtendWith(DmaBufCases.class)
    void cpuRead_pendingInTransfer_waitsForIt() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint in = h.in();
            DmaBuf buf = h.track(h.backend.dmaBufs().allocate(SIZE));
            buf.write(cpu -> Patterns.fill(cpu, 512, 22));
            in.attach(buf);
            Transfer t = in.transfer(buf, 512);
            // gadget4j syncs READ|WRITE for every access: even a read waits for the IN transfer.
            Background<Void> cpu = Background.start(() -> {
                buf.beginCpuAccess(DmaBuf.Access.READ);
                buf.endCpuAccess(DmaBuf.Access.READ);
                return null;
            });
            assertTrue(cpu.stillBlockedAfter(SHORT), "SYNC_START must wait for the IN transfer's fence");
            MemorySegment got = arena.allocate(512);
            assertEquals(512, h.host.bulk(h.hostIn, got, WAIT));
            t.await(WAIT);
            cpu.get(WAIT);
            assertEquals(-1, Patterns.mismatch(got, 512, 22));
        }
    }

    // ---- bMaxPower as composite.c encodes MaxPower ----

    @Test
    void bMaxPower_encodedAsComposite() {
        for (int milliamps : new int[] {0, 101, 500, 900}) {
            try (Backend backend = fixture.open();
                 Gadget gadget = backend.createGadget(spec().maxPowerMa(milliamps).build())) {
                HostDevice host = enumerate(gadget.functionFs("conf"), gadget, backend);
                try {
                    byte[] device = host.deviceDescriptor();
                    boolean superSpeed = ((device[3] & 0xff) << 8 | (device[2] & 0xff)) >= 0x0300;
                    int expected = superSpeed ? SUPER_SPEED_MAX_POWER.get(milliamps) : HIGH_SPEED_MAX_POWER.get(milliamps);
                    assertEquals(expected, host.configurationDescriptor()[8] & 0xff,
                            milliamps + " mA at " + (superSpeed ? "SuperSpeed" : "high/full speed"));
                } finally {
                    host.close();
                }
            }
        }
    }

    // ---- gadget strings: at most 126 bytes, as configfs takes them ----

    @Test
    void gadgetString_over126Bytes_EOVERFLOW() {
        assertErrno(Errno.EOVERFLOW, () -> spec().product("p".repeat(127)).build());
        assertErrno(Errno.EOVERFLOW, () -> spec().manufacturer("\u00e9".repeat(64)).build());
        assertErrno(Errno.EOVERFLOW, () -> spec().serialNumber("s".repeat(200)).build());
    }

    @Test
    void gadgetString_126Bytes_reachesHostWhole() {
        String product = "\u00e9".repeat(20) + "p".repeat(86);
        assertEquals(126, product.getBytes(StandardCharsets.UTF_8).length);
        try (Backend backend = fixture.open();
             Gadget gadget = backend.createGadget(spec().product(product).build());
             Arena arena = Arena.ofConfined()) {
            HostDevice host = enumerate(gadget.functionFs("conf"), gadget, backend);
            try {
                int index = host.deviceDescriptor()[15] & 0xff;
                MemorySegment d = arena.allocate(255);
                int n = host.control(0x80, 6, 0x0300 | index, 0x0409, d, WAIT);
                byte[] bytes = d.asSlice(2, n - 2).toArray(ValueLayout.JAVA_BYTE);
                assertEquals(product, new String(bytes, StandardCharsets.UTF_16LE));
            } finally {
                host.close();
            }
        }
    }

    // ---- ep0: an answer to a SETUP the host gave up on, or a newer event replaced ----

    @Test
    void setup_replyAfterHostGaveUp_EIDRM() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            MemorySegment got = arena.allocate(8);
            Background<Integer> host = Background.start(
                    () -> h.host.control(VENDOR_IN, 0x12, 0, 0, got, Duration.ofMillis(300)));
            Event.Setup s = h.awaitEvent(Event.Setup.class);
            assertErrno(Errno.ETIMEDOUT, () -> host.get(WAIT));
            h.host.setInterface(0, 0);
            assertThrows(IllegalStateException.class, () -> h.ffs.nextEvent(Duration.ZERO),
                    "the library refuses the next event until the SETUP is answered");
            assertErrno(Errno.EIDRM, () -> h.ffs.reply(s, MemorySegment.ofArray(new byte[] {1})));
            h.awaitEvent(Event.Enable.class);
            assertEquals(8, h.host.control(0x80, 6, 0x0100, 0, got, WAIT), "ep0 works on");
        }
    }

    @Test
    void setup_cancelledByNewerEvent_answerEIDRM_thenEventsGoOn() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            MemorySegment got = arena.allocate(8);
            Background<Integer> host = Background.start(() -> h.host.control(VENDOR_IN, 0x13, 0, 0, got, WAIT));
            Event.Setup s = h.awaitEvent(Event.Setup.class);
            h.gadget.unbind();
            assertThrows(GadgetException.class, () -> host.get(WAIT), "the host loses the device");
            assertThrows(IllegalStateException.class, () -> h.ffs.nextEvent(Duration.ZERO));
            assertErrno(Errno.EIDRM, () -> h.ffs.stall(s));
            h.awaitEvent(Event.Unbind.class);
        }
    }

    // ---- AIO: closing the file cancels what is pending ----

    @Test
    void aio_pendingRequests_cancelledByClose_ECONNRESET() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint out = h.out();
            Endpoint in = h.in();
            IoRequest read = out.submitRead(arena.allocate(512));
            IoRequest write = in.submitWrite(arena.allocate(SIZE));
            out.close();
            in.close();
            assertTrue(read.isDone(), "closing the file ends its pending read");
            assertTrue(write.isDone(), "closing the file ends its pending write");
            assertErrno(Errno.ECONNRESET, () -> read.await(WAIT));
            assertErrno(Errno.ECONNRESET, () -> write.await(WAIT));
        }
    }

    // ---- halt() with IN requests queued ----

    @Test
    void halt_withQueuedIn_EAGAIN_dataStillFlows() throws Exception {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofShared()) {
            Endpoint in = h.in();
            MemorySegment data = arena.allocate(SIZE);
            Patterns.fill(data, SIZE, 23);
            IoRequest write = in.submitWrite(data);
            // dummy_hcd refuses with EAGAIN and f_fs.c (6.12) returns the UDC's answer.
            assertErrno(Errno.EAGAIN, in::halt);
            assertFalse(write.isDone());
            MemorySegment got = arena.allocate(SIZE);
            assertEquals(SIZE, h.host.bulk(h.hostIn, got, WAIT), "the endpoint is not halted: the data flows");
            assertEquals(SIZE, write.await(WAIT));
            assertEquals(-1, Patterns.mismatch(got, SIZE, 23));
        }
    }

    // ---- helpers ----

    private static GadgetSpec.Builder spec() {
        return GadgetSpec.builder().name("g4jdiv").vendorId(Harness.VENDOR).productId(Harness.PRODUCT).function("conf");
    }

    /** Starts the function, binds, waits for ENABLE and opens the host side. */
    private static HostDevice enumerate(FunctionFs ffs, Gadget gadget, Backend backend) {
        ffs.start(Harness.SOURCE_SINK.descriptors(), Harness.SOURCE_SINK.strings());
        gadget.bind();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<Event> e = ffs.nextEvent(Duration.ofMillis(200));
            if (e.isPresent() && e.get() instanceof Event.Enable) {
                return backend.host().open(Harness.VENDOR, Harness.PRODUCT, WAIT);
            }
            if (e.isPresent() && e.get() instanceof Event.Setup s) {
                ffs.stall(s);
            }
        }
        return fail("no ENABLE within " + WAIT);
    }
}
