package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static dev.gadget4j.conformance.ErrnoAssertions.assertErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Backend;
import dev.gadget4j.Endpoint;
import dev.gadget4j.Errno;
import dev.gadget4j.Event;
import dev.gadget4j.FunctionFs;
import dev.gadget4j.Gadget;
import dev.gadget4j.GadgetSpec;
import dev.gadget4j.HostDevice;
import dev.gadget4j.Speed;
import dev.gadget4j.Udc;
import dev.gadget4j.descriptor.Direction;
import dev.gadget4j.descriptor.FunctionEndpoint;
import dev.gadget4j.descriptor.FunctionInterface;
import dev.gadget4j.descriptor.InterfaceClass;
import dev.gadget4j.descriptor.TransferType;
import dev.gadget4j.descriptor.UsbEndpoint;
import dev.gadget4j.descriptor.UsbFunction;
import dev.gadget4j.descriptor.UsbInterface;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A function described once with UsbFunction, bound to a named UDC, as the host then sees it. */
class CompositionConformanceTest {
    private final Fixture fixture = Fixture.current();

    @Test
    void typedFunction_boundToANamedUdc_enumeratesWithTheDerivedEndpoints() {
        UsbFunction.Builder b = UsbFunction.builder("typed");
        FunctionInterface data = b.addInterface(InterfaceClass.vendor(0x42, 1), "typed data");
        FunctionEndpoint events = data.interrupt(Direction.IN, 32, 4);
        FunctionEndpoint sink = data.bulkOut();
        UsbFunction typed = b.build();
        try (Backend backend = fixture.open();
             Gadget gadget = backend.createGadget(GadgetSpec.builder().name("g4jtyped").vendorId(Harness.VENDOR)
                     .productId(Harness.PRODUCT).function(typed).build())) {
            FunctionFs ffs = gadget.start(typed);
            assertFalse(backend.udcs().isEmpty());
            assertErrno(Errno.ENODEV, () -> gadget.bind(new Udc("no-such-udc.0")));
            Udc udc = backend.udcs().getFirst();
            gadget.bind(udc);
            assertEquals(Optional.of(udc.name()), gadget.udc());
            while (!(ffs.nextEvent(WAIT).orElseThrow() instanceof Event.Enable)) {
                // BIND first, then ENABLE once the host configures
            }
            try (HostDevice host = backend.host().open(Harness.VENDOR, Harness.PRODUCT, WAIT);
                 Endpoint in = ffs.endpoint(events);
                 Endpoint out = ffs.endpoint(sink)) {
                assertTrue(in.isIn());
                assertFalse(out.isIn());
                UsbInterface i = host.configuration().interfaceSetting(0, 0);
                assertEquals(0x42, i.descriptor().subClass());
                Speed speed = host.info().speed();
                UsbEndpoint hostEvents = i.endpoint(Direction.IN, TransferType.INTERRUPT).orElseThrow();
                assertEquals(32, hostEvents.maxPacketSize());
                assertEquals(events.interval(speed), hostEvents.descriptor().interval());
                assertEquals(speed.bulkMaxPacketSize(),
                        i.endpoint(Direction.OUT, TransferType.BULK).orElseThrow().maxPacketSize());
            }
        }
    }
}
