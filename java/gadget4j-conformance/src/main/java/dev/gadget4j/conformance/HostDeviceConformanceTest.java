package dev.gadget4j.conformance;

import static dev.gadget4j.conformance.Harness.WAIT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Speed;
import dev.gadget4j.descriptor.ConfigurationDescriptor;
import dev.gadget4j.descriptor.DescriptorType;
import dev.gadget4j.descriptor.DeviceDescriptor;
import dev.gadget4j.descriptor.Direction;
import dev.gadget4j.descriptor.SetupPacket;
import dev.gadget4j.descriptor.TransferType;
import dev.gadget4j.descriptor.UsbEndpoint;
import dev.gadget4j.descriptor.UsbInterface;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** The typed host side: parsed device and configuration descriptors, control transfers by SetupPacket. */
class HostDeviceConformanceTest {
    private final Fixture fixture = Fixture.current();

    @Test
    void typedConfiguration_showsTheFunctionsInterfaceAndEndpoints() {
        try (Harness h = Harness.enabled(fixture)) {
            DeviceDescriptor d = h.host.device();
            assertEquals(Harness.VENDOR, d.vendorId());
            assertEquals(Harness.PRODUCT, d.productId());
            ConfigurationDescriptor c = h.host.configuration();
            assertEquals(1, c.interfaceCount());
            UsbInterface i = c.interfaceSetting(0, 0);
            assertEquals(0xff, i.interfaceClass());
            assertEquals(2, i.endpoints().size());
            Speed speed = h.host.info().speed();
            UsbEndpoint in = i.endpoint(Direction.IN, TransferType.BULK).orElseThrow();
            UsbEndpoint out = i.endpoint(Direction.OUT, TransferType.BULK).orElseThrow();
            assertEquals(h.hostIn, in.address());
            assertEquals(h.hostOut, out.address());
            assertEquals(speed.bulkMaxPacketSize(), in.maxPacketSize());
            assertEquals(speed == Speed.SUPER ? 16 : 1, out.maxBurst());
        }
    }

    @Test
    void controlBySetupPacket_readsTheSameDescriptorsAsTheRawForm() {
        try (Harness h = Harness.enabled(fixture); Arena arena = Arena.ofConfined()) {
            MemorySegment d = arena.allocate(64);
            SetupPacket get = SetupPacket.getDescriptor(DescriptorType.DEVICE, 0, 0, DeviceDescriptor.SIZE);
            assertEquals(DeviceDescriptor.SIZE, h.host.control(get, d, WAIT));
            assertArrayEquals(h.host.deviceDescriptor(), d.asSlice(0, DeviceDescriptor.SIZE).toArray(ValueLayout.JAVA_BYTE));
            int total = h.host.configuration().totalLength();
            MemorySegment c = arena.allocate(total);
            assertEquals(total, h.host.control(SetupPacket.getDescriptor(DescriptorType.CONFIGURATION, 0, 0, total), c,
                    WAIT));
            assertEquals(h.host.configuration(), ConfigurationDescriptor.parse(c.toArray(ValueLayout.JAVA_BYTE)));
            assertTrue(h.host.configuration().interfaceSettings().size() >= 1);
        }
    }
}
