package dev.gadget4j.sim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Speed;
import dev.gadget4j.descriptor.ConfigurationDescriptor;
import dev.gadget4j.descriptor.Descriptors;
import dev.gadget4j.descriptor.EndpointInfo;
import dev.gadget4j.descriptor.UsbDescriptor;
import dev.gadget4j.descriptor.UsbDescriptor.Endpoint;
import dev.gadget4j.descriptor.UsbDescriptor.Interface;
import dev.gadget4j.descriptor.UsbDescriptor.SsCompanion;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The host's view of a bound function, as f_fs.c and composite.c build it (golden bytes worked out by hand). */
class BoundDescriptorsTest {
    /** A function with no set at or below a speed is not shown at that speed. */
    @Test
    void noSetAtOrBelowTheSpeed_nothingShown() {
        Descriptors d = Descriptors.builder()
                .highSpeed(Interface.vendor(0, 1, 0), Endpoint.bulk(0x81, 512))
                .build();
        assertTrue(BoundDescriptors.of(d, Speed.FULL).isEmpty());
        assertEquals(d.descriptors(Speed.HIGH), BoundDescriptors.of(d, Speed.SUPER));
    }

    /** GET_DESCRIPTOR(CONFIGURATION) at high speed for sourceSink alone in configuration 1. */
    @Test
    void configurationDescriptorAtHighSpeed() {
        byte[] golden = bytes(
                9, 2, // configuration descriptor
                32, 0, // wTotalLength: 9 + 9 + 7 + 7
                1, // bNumInterfaces
                1, // bConfigurationValue
                0, // iConfiguration
                0x80, // bmAttributes: bus powered
                1, // bMaxPower: 2 mA in 2 mA units
                9, 4, 0, 0, 2, 0xff, 0, 0, 1,
                7, 5, 0x81, 2, 0x00, 0x02, 0,
                7, 5, 0x02, 2, 0x00, 0x02, 0);
        assertArrayEquals(golden, BoundDescriptors.configuration(Descriptors.sourceSink(), Speed.HIGH, 1).toBytes());
        ConfigurationDescriptor c = ConfigurationDescriptor.parse(golden);
        assertEquals(BoundDescriptors.configuration(Descriptors.sourceSink(), Speed.HIGH, 1), c);
        assertArrayEquals(golden, c.toBytes());
        assertEquals(32, ConfigurationDescriptor.totalLength(java.util.Arrays.copyOf(golden, 9)));
    }

    @Test
    void configurationDescriptorAtSuperSpeed() {
        byte[] c = BoundDescriptors.configuration(Descriptors.sourceSink(4), Speed.SUPER, 2).toBytes();
        assertEquals(44, c.length, "9 + 35");
        assertArrayEquals(bytes(9, 2, 44, 0, 1, 2, 0, 0x80, 0), java.util.Arrays.copyOf(c, 9),
                "2 mA is 0 in SuperSpeed's 8 mA units");
        assertEquals(List.of(SsCompanion.bulk(4), SsCompanion.bulk(4)), ConfigurationDescriptor.parse(c).descriptors()
                .stream().filter(x -> x instanceof SsCompanion).toList());
    }

    /** Interface ids, string ids and UDC endpoint addresses as bind hands them out. */
    @Test
    void hostDescriptorsRenumber() {
        Descriptors d = Descriptors.sourceSink();
        int[] udc = {0x85, 0x06};
        List<UsbDescriptor> host = BoundDescriptors.of(d, Speed.HIGH, 2, 5, ep -> udc[ep.fileNumber() - 1]);
        assertEquals(List.of(new Interface(2, 0, 2, 0xff, 0, 0, 5), Endpoint.bulk(0x85, 512), Endpoint.bulk(0x06, 512)),
                host);
        Descriptors virtual = Descriptors.builder().speed(Speed.HIGH, d.descriptors(Speed.HIGH))
                .flags(Descriptors.VIRTUAL_ADDR).build();
        assertEquals(List.of(0x81, 0x02), BoundDescriptors.of(virtual, Speed.HIGH, 0, 1, ep -> 0x0f).stream()
                .filter(x -> x instanceof Endpoint).map(x -> ((Endpoint) x).address()).toList(),
                "with VIRTUAL_ADDR f_fs.c restores the function's own addresses");
    }

    @Test
    void interfaceIdsFollowFirstAppearance() {
        Descriptors d = Descriptors.builder()
                .fullSpeed(Interface.vendor(1, 0, 0), Interface.vendor(0, 0, 0))
                .build();
        assertEquals(List.of(Interface.vendor(3, 0, 0), Interface.vendor(4, 0, 0)),
                BoundDescriptors.of(d, Speed.FULL, 3, 1, EndpointInfo::address));
    }

    @Test
    void zeroMaxPacketSizeAboveFullSpeedTakesFullSpeeds() {
        Descriptors d = Descriptors.builder()
                .fullSpeed(Interface.vendor(0, 1, 0), Endpoint.bulk(0x81, 64))
                .highSpeed(Interface.vendor(0, 1, 0), Endpoint.bulk(0x81, 0))
                .build();
        assertEquals(Endpoint.bulk(0x81, 64), BoundDescriptors.of(d, Speed.HIGH).get(1));
        assertEquals(0, d.endpoint(1).maxPacketSize(Speed.HIGH), "the blob's own value is still 0");
    }

    @Test
    void maxPowerEncoding() {
        assertEquals(250, BoundDescriptors.encodeMaxPower(Speed.HIGH, 900));
        assertEquals(112, BoundDescriptors.encodeMaxPower(Speed.SUPER, 900));
        assertEquals(50, BoundDescriptors.encodeMaxPower(Speed.FULL, 100));
        // composite.c: 0 mA means CONFIG_USB_GADGET_VBUS_DRAW (2 mA); the division rounds down.
        assertEquals(1, BoundDescriptors.encodeMaxPower(Speed.HIGH, 0));
        assertEquals(0, BoundDescriptors.encodeMaxPower(Speed.SUPER, 0));
        assertEquals(50, BoundDescriptors.encodeMaxPower(Speed.HIGH, 101));
        assertEquals(62, BoundDescriptors.encodeMaxPower(Speed.SUPER, 500));
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
