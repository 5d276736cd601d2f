package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.TestBytes.bytes;
import static dev.gadget4j.descriptor.TestBytes.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Speed;
import dev.gadget4j.descriptor.UsbDescriptor.Endpoint;
import dev.gadget4j.descriptor.UsbDescriptor.Interface;
import dev.gadget4j.descriptor.UsbDescriptor.SsCompanion;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Endpoint files, interfaces and the host's view of a function, as f_fs.c and composite.c build them. */
class EndpointLayoutTest {

    @Test
    void sourceSinkEndpointFiles() {
        List<EndpointInfo> eps = Descriptors.sourceSink(2).endpoints();
        assertEquals(2, eps.size());
        EndpointInfo in = eps.get(0);
        EndpointInfo out = eps.get(1);
        assertEquals(List.of(1, 2), List.of(in.fileNumber(), out.fileNumber()));
        assertEquals(List.of("ep1", "ep2"), List.of(in.fileName(), out.fileName()));
        assertEquals(List.of(0x81, 0x02), List.of(in.address(), out.address()));
        assertTrue(in.in());
        assertFalse(out.in());
        assertEquals(TransferType.BULK, out.type());
        assertEquals(List.of(64, 512, 1024), List.of(out.maxPacketSize(Speed.FULL), out.maxPacketSize(Speed.HIGH),
                out.maxPacketSize(Speed.SUPER)));
        assertEquals(2, out.companion(Speed.SUPER).orElseThrow().maxBurst());
        assertTrue(out.companion(Speed.HIGH).isEmpty());
        assertEquals(0, out.interfaceNumber());
    }

    /** File order is descriptor order, not address order. */
    @Test
    void filesFollowDescriptorOrderAndVirtualAddrNamesThemByAddress() {
        Descriptors d = Descriptors.builder()
                .fullSpeed(Interface.vendor(0, 3, 0), Endpoint.bulk(0x03, 64), Endpoint.interrupt(0x81, 8, 1),
                        Endpoint.bulk(0x82, 64))
                .flags(Descriptors.VIRTUAL_ADDR)
                .build();
        assertEquals(List.of("ep03", "ep81", "ep82"), d.endpoints().stream().map(EndpointInfo::fileName).toList());
        assertEquals(TransferType.INTERRUPT, d.endpoint(2).type());
        rejects(() -> d.endpoint(4), "endpoint file number must be 1..3, got 4");
    }

    /** A speed without a set runs with the next slower one's, and not with a faster one's. */
    @Test
    void speedFallsBackToSlowerSetsOnly() {
        Descriptors d = Descriptors.builder()
                .highSpeed(Interface.vendor(0, 1, 0), Endpoint.bulk(0x81, 512))
                .build();
        EndpointInfo ep = d.endpoint(1);
        assertEquals(512, ep.maxPacketSize(Speed.SUPER));
        rejects(() -> ep.maxPacketSize(Speed.FULL), "ep1", "no descriptor at FULL speed or slower");
        assertEquals(d.descriptors(Speed.HIGH), d.effectiveDescriptors(Speed.SUPER));
        assertTrue(d.hostDescriptors(Speed.FULL).isEmpty());
    }

    @Test
    void interfacesWithAlternateSettings() {
        Interface alt0 = new Interface(0, 0, 0, 0xff, 0, 0, 0);
        Interface alt1 = new Interface(0, 1, 2, 0xff, 0, 0, 0);
        Interface other = new Interface(1, 0, 1, 0xff, 1, 0, 0);
        Descriptors d = Descriptors.builder()
                .fullSpeed(alt0, alt1, Endpoint.bulk(0x81, 64), Endpoint.bulk(0x02, 64), other,
                        Endpoint.interrupt(0x83, 16, 8))
                .build();
        assertEquals(2, d.interfaceCount());
        List<InterfaceInfo> ifs = d.interfaces();
        assertEquals(List.of(0, 1), ifs.stream().map(InterfaceInfo::number).toList());
        List<InterfaceInfo.AlternateSetting> alts = ifs.get(0).alternateSettings();
        assertEquals(List.of(alt0, alt1), alts.stream().map(InterfaceInfo.AlternateSetting::descriptor).toList());
        assertTrue(alts.get(0).endpoints().isEmpty());
        assertEquals(List.of(1, 2), alts.get(1).endpoints().stream().map(EndpointInfo::fileNumber).toList());
        assertEquals(List.of(d.endpoint(3)), ifs.get(1).alternateSettings().get(0).endpoints());
        assertEquals(1, d.endpoint(2).alternateSetting());
        assertEquals(1, d.endpoint(3).interfaceNumber());
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
        assertArrayEquals(golden, Descriptors.sourceSink().configurationDescriptor(Speed.HIGH, 1));
        ConfigurationDescriptor c = ConfigurationDescriptor.parse(golden);
        assertEquals(Descriptors.sourceSink().configuration(Speed.HIGH, 1), c);
        assertArrayEquals(golden, c.toBytes());
        assertEquals(32, ConfigurationDescriptor.totalLength(java.util.Arrays.copyOf(golden, 9)));
    }

    @Test
    void configurationDescriptorAtSuperSpeed() {
        byte[] c = Descriptors.sourceSink(4).configurationDescriptor(Speed.SUPER, 2);
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
        List<UsbDescriptor> host = d.hostDescriptors(Speed.HIGH, 2, 5, ep -> udc[ep.fileNumber() - 1]);
        assertEquals(List.of(new Interface(2, 0, 2, 0xff, 0, 0, 5), Endpoint.bulk(0x85, 512), Endpoint.bulk(0x06, 512)),
                host);
        Descriptors virtual = Descriptors.builder().speed(Speed.HIGH, d.descriptors(Speed.HIGH))
                .flags(Descriptors.VIRTUAL_ADDR).build();
        assertEquals(List.of(0x81, 0x02), virtual.hostDescriptors(Speed.HIGH, 0, 1, ep -> 0x0f).stream()
                .filter(x -> x instanceof Endpoint).map(x -> ((Endpoint) x).address()).toList(),
                "with VIRTUAL_ADDR f_fs.c restores the function's own addresses");
    }

    @Test
    void interfaceIdsFollowFirstAppearance() {
        Descriptors d = Descriptors.builder()
                .fullSpeed(Interface.vendor(1, 0, 0), Interface.vendor(0, 0, 0))
                .build();
        assertEquals(List.of(Interface.vendor(3, 0, 0), Interface.vendor(4, 0, 0)),
                d.hostDescriptors(Speed.FULL, 3, 1, EndpointInfo::address));
    }

    @Test
    void zeroMaxPacketSizeAboveFullSpeedTakesFullSpeeds() {
        Descriptors d = Descriptors.builder()
                .fullSpeed(Interface.vendor(0, 1, 0), Endpoint.bulk(0x81, 64))
                .highSpeed(Interface.vendor(0, 1, 0), Endpoint.bulk(0x81, 0))
                .build();
        assertEquals(Endpoint.bulk(0x81, 64), d.hostDescriptors(Speed.HIGH).get(1));
        assertEquals(0, d.endpoint(1).maxPacketSize(Speed.HIGH), "the blob's own value is still 0");
    }

    @Test
    void configurationParseChecks() {
        rejects(() -> ConfigurationDescriptor.parse(bytes(9, 2, 10, 0, 0, 1, 0, 0x80, 0)),
                "wTotalLength 10 but 9 bytes given");
        rejects(() -> ConfigurationDescriptor.parse(bytes(9, 1, 9, 0, 0, 1, 0, 0x80, 0)), "bDescriptorType 0x01");
        rejects(() -> ConfigurationDescriptor.parse(bytes(9, 2, 9, 0, 0, 1, 0, 0x40, 0)), "bmAttributes 0x40",
                "bit 7");
        rejects(() -> ConfigurationDescriptor.parse(bytes(9, 2, 13, 0, 0, 1, 0, 0x80, 0, 4, 4, 0, 0)),
                "offset 9", "interface descriptor has bLength 4");
        // The host side takes class-specific descriptors FunctionFS would refuse.
        ConfigurationDescriptor c = ConfigurationDescriptor.parse(bytes(9, 2, 13, 0, 0, 1, 0, 0x80, 0, 4, 0x24, 1, 2));
        assertEquals(List.of(UsbDescriptor.Raw.of(0x24, 1, 2)), c.descriptors());
    }

    @Test
    void maxPowerEncoding() {
        assertEquals(250, ConfigurationDescriptor.encodeMaxPower(Speed.HIGH, 900));
        assertEquals(112, ConfigurationDescriptor.encodeMaxPower(Speed.SUPER, 900));
        assertEquals(50, ConfigurationDescriptor.encodeMaxPower(Speed.FULL, 100));
        // composite.c: 0 mA means CONFIG_USB_GADGET_VBUS_DRAW (2 mA); the division rounds down.
        assertEquals(1, ConfigurationDescriptor.encodeMaxPower(Speed.HIGH, 0));
        assertEquals(0, ConfigurationDescriptor.encodeMaxPower(Speed.SUPER, 0));
        assertEquals(50, ConfigurationDescriptor.encodeMaxPower(Speed.HIGH, 101));
        assertEquals(62, ConfigurationDescriptor.encodeMaxPower(Speed.SUPER, 500));
    }
}
