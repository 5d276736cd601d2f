package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.TestBytes.bytes;
import static dev.gadget4j.descriptor.TestBytes.rejects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Speed;
import dev.gadget4j.descriptor.UsbDescriptor.Endpoint;
import dev.gadget4j.descriptor.UsbDescriptor.Interface;
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


}
