package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static dev.gadget4j.conformance.ErrnoAssertions.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.DmaBuf;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.GadgetException;
import dev.gadget4j.HostDevice;
import dev.gadget4j.IoRequest;
import dev.gadget4j.UsbDeviceInfo;
import java.lang.foreign.Arena;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Gadget lifecycle: start, bind, enumeration, configuration changes, unbind, close. */
class LifecycleConformanceTest {
    private final Fixture fixture = Fixture.current();

    @Test
    void endpointFiles_appearOnlyAfterDescriptorsAndStrings_ENOENT() {
        try (Harness h = Harness.created(fixture)) {
            assertErrno(Errno.ENOENT, () -> h.ffs.endpoint(1));
            h.ffs.start(Harness.SOURCE_SINK.descriptors(), Harness.SOURCE_SINK.strings());
            h.track(h.ffs.endpoint(1)).close();
            assertErrno(Errno.ENOENT, () -> h.ffs.endpoint(3));
        }
    }

    @Test
    void bind_beforeStart_fails() {
        try (Harness h = Harness.created(fixture)) {
            assertFalse(h.ffs.isStarted());
            dev.gadget4j.GadgetException e = org.junit.jupiter.api.Assertions.assertThrows(
                    dev.gadget4j.GadgetException.class, h.gadget::bind);
            assertTrue(e.getMessage().contains("UDC"), e.getMessage());
            assertFalse(h.gadget.isBound());
        }
    }

    @Test
    void start_twice_fails() {
        try (Harness h = Harness.started(fixture)) {
            org.junit.jupiter.api.Assertions.assertThrows(dev.gadget4j.GadgetException.class,
                    () -> h.ffs.start(Harness.SOURCE_SINK.descriptors(), Harness.SOURCE_SINK.strings()));
        }
    }

    @Test
    void bind_hostEnumeratesAndFunctionIsEnabled() {
        try (Harness h = Harness.enabled(fixture)) {
            assertTrue(h.gadget.isBound());
            assertTrue(h.gadget.udc().isPresent());
            UsbDeviceInfo info = h.host.info();
            assertEquals(Harness.VENDOR, info.vendorId());
            assertEquals(Harness.PRODUCT, info.productId());
            byte[] d = h.host.deviceDescriptor();
            assertEquals(18, d.length);
            assertEquals(Harness.VENDOR, (d[8] & 0xff) | (d[9] & 0xff) << 8);
            assertTrue(h.backend.host().devices().stream().anyMatch(i -> i.productId() == Harness.PRODUCT));
        }
    }

    @Test
    void bind_twice_EBUSY() {
        try (Harness h = Harness.enabled(fixture)) {
            assertErrno(Errno.EBUSY, h.gadget::bind);
        }
    }

    @Test
    void setConfiguration0_disables_then1_enables() {
        try (Harness h = Harness.enabled(fixture)) {
            h.host.setConfiguration(0);
            h.awaitEvent(Event.Disable.class);
            h.host.setConfiguration(1);
            h.awaitEvent(Event.Enable.class);
        }
    }

    @Test
    void setInterface_pendingIo_ESHUTDOWN_thenWorksAfterEnable() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofConfined()) {
            Endpoint out = h.out();
            IoRequest pending = out.submitRead(arena.allocate(4096));
            h.host.setInterface(0, 0);
            assertErrno(Errno.ESHUTDOWN, () -> pending.await(WAIT));
            h.awaitEvent(Event.Enable.class);
            IoRequest again = out.submitRead(arena.allocate(4096));
            assertEquals(10, h.host.bulk(h.hostOut, arena.allocate(10), WAIT));
            assertEquals(10, again.await(WAIT));
        }
    }

    @Test
    void unbind_hostSeesDisconnect_functionSeesUnbind() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofConfined()) {
            Endpoint out = h.out();
            IoRequest pending = out.submitRead(arena.allocate(512));
            HostDevice dev = h.host;
            h.gadget.unbind();
            assertFalse(h.gadget.isBound());
            assertErrno(Errno.ESHUTDOWN, () -> pending.await(WAIT));
            h.awaitEvent(Event.Unbind.class);
            assertErrno(Errno.ENODEV, () -> dev.bulk(h.hostOut, arena.allocate(8), Duration.ofSeconds(1)));
            h.gadget.unbind();
        }
    }

    @Test
    void rebind_afterUnbind_enumeratesAgain() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofConfined()) {
            h.gadget.unbind();
            h.awaitEvent(Event.Unbind.class);
            h.host.close();
            h.bindAndEnable();
            Endpoint in = h.in();
            IoRequest w = in.submitWrite(arena.allocate(100));
            assertEquals(100, h.host.bulk(h.hostIn, arena.allocate(512), WAIT));
            assertEquals(100, w.await(WAIT));
        }
    }

    @Test
    void close_isIdempotent_forEveryObject() {
        Harness h = Harness.enabled(fixture);
        DmaBuf buf = h.backend.dmaBufs().allocate(4096);
        Endpoint in = h.in();
        if (fixture.dmaBufInterface()) {
            in.attach(buf);
        } else {
            // Without the FunctionFS DMABUF interface the rest of the case still holds.
            GadgetException e = assertErrno(Errno.ENOTTY, () -> in.attach(buf));
            assertTrue(e.getMessage().contains(DmaBufCases.MISSING), e.getMessage());
        }
        in.close();
        in.close();
        assertTrue(in.isClosed());
        buf.close();
        buf.close();
        assertTrue(buf.isClosed());
        h.ffs.close();
        h.ffs.close();
        assertTrue(h.ffs.isClosed());
        assertFalse(h.gadget.isBound(), "closing ep0 unbinds the gadget");
        h.close();
        h.close();
    }

    @Test
    void closedObjects_EBADF() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofConfined()) {
            Endpoint in = h.in();
            in.close();
            assertErrno(Errno.EBADF, () -> in.write(arena.allocate(8)));
            DmaBuf buf = h.backend.dmaBufs().allocate(4096);
            buf.close();
            assertErrno(Errno.EBADF, buf::segment);
        }
    }

    @Test
    void gadgetClose_leavesNothingBehind_sameNameCanBeCreatedAgain() {
        try (Harness h = Harness.enabled(fixture)) {
            h.gadget.close();
            assertTrue(h.backend.host().devices().stream().noneMatch(i -> i.productId() == Harness.PRODUCT));
            try (var again = h.backend.createGadget(h.gadget.spec())) {
                assertFalse(again.isBound());
            }
        }
    }
}
