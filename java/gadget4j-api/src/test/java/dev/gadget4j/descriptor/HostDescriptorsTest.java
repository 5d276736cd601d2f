package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.TestBytes.bytes;
import static dev.gadget4j.descriptor.TestBytes.rejects;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Device and string descriptors and setup packets, byte for byte as in USB 2.0 chapter 9. */
class HostDescriptorsTest {

    @Test
    void deviceDescriptor() {
        byte[] golden = bytes(
                18, 1, // bLength, DEVICE
                0x00, 0x02, // bcdUSB 2.00
                0, 0, 0, // class, subclass, protocol per interface
                64, // bMaxPacketSize0
                0x6b, 0x1d, // idVendor 0x1d6b
                0x04, 0x01, // idProduct 0x0104
                0x00, 0x01, // bcdDevice 1.00
                1, 2, 3, // iManufacturer, iProduct, iSerialNumber
                1); // bNumConfigurations
        DeviceDescriptor d = new DeviceDescriptor(0x0200, 0, 0, 0, 64, 0x1d6b, 0x0104, 0x0100, 1, 2, 3, 1);
        assertArrayEquals(golden, d.toBytes());
        assertEquals(d, DeviceDescriptor.parse(golden));
        assertEquals(512, new DeviceDescriptor(0x0320, 0, 0, 0, 9, 1, 2, 3, 0, 0, 0, 1).ep0PacketSize());
        rejects(() -> new DeviceDescriptor(0x0200, 0, 0, 0, 63, 0, 0, 0, 0, 0, 0, 1), "bMaxPacketSize0", "63");
        rejects(() -> DeviceDescriptor.parse(java.util.Arrays.copyOf(golden, 8)), "not a device descriptor: 8 bytes");
    }

    @Test
    void stringDescriptors() {
        assertArrayEquals(bytes(6, 3, 'a', 0, 0xe9, 0), new StringDescriptor("aé").toBytes());
        assertEquals(new StringDescriptor("aé"), StringDescriptor.parse(bytes(6, 3, 'a', 0, 0xe9, 0)));
        byte[] zero = bytes(6, 3, 0x09, 0x04, 0x07, 0x04);
        assertArrayEquals(zero, new StringDescriptor.LanguageIds(List.of(0x0409, 0x0407)).toBytes());
        assertEquals(List.of(0x0409, 0x0407), StringDescriptor.LanguageIds.parse(zero).ids());
        rejects(() -> new StringDescriptor("x".repeat(127)), "at most 126", "127");
        rejects(() -> StringDescriptor.parse(bytes(5, 3, 'a', 0, 0)), "not a string descriptor: 5 bytes");
    }

    @Test
    void setupPacketIsLittleEndian() {
        SetupPacket p = new SetupPacket(0xc1, 0x5a, 0x1234, 0x0001, 0x0040);
        assertArrayEquals(bytes(0xc1, 0x5a, 0x34, 0x12, 0x01, 0x00, 0x40, 0x00), p.toBytes());
        assertEquals(p, SetupPacket.parse(p.toBytes()));
        assertEquals(Direction.IN, p.direction());
        assertEquals(SetupPacket.TYPE_VENDOR, p.type());
        assertEquals(SetupPacket.RECIPIENT_INTERFACE, p.recipient());
    }

    @Test
    void getDescriptorRequest() {
        SetupPacket p = SetupPacket.getDescriptor(DescriptorType.STRING, 2, 0x0409, 255);
        assertArrayEquals(bytes(0x80, 6, 2, 3, 0x09, 0x04, 0xff, 0), p.toBytes());
        assertEquals(DescriptorType.STRING, p.descriptorType());
        assertEquals(2, p.descriptorIndex());
        SetupPacket out = SetupPacket.of(Direction.OUT, SetupPacket.TYPE_CLASS, SetupPacket.RECIPIENT_ENDPOINT, 1, 0,
                0x81, 0);
        assertEquals(0x22, out.requestType());
    }

    @Test
    void setupPacketChecks() {
        rejects(() -> new SetupPacket(0, 0, 0x10000, 0, 0), "wValue must be 0..65535, got 65536");
        rejects(() -> SetupPacket.parse(new byte[7]), "8 bytes, got 7");
        rejects(() -> SetupPacket.parse(new byte[10], 4), "setup packet at offset 4 needs 8 bytes, 6 left");
    }

    @Test
    void directionAndTransferTypeBits() {
        assertEquals(Direction.IN, Direction.of(0x81));
        assertEquals(Direction.OUT, Direction.of(0x01));
        assertEquals(TransferType.ISOCHRONOUS, TransferType.of(0x0d)); // async iso data: bits 0-1 are 01
        assertEquals(TransferType.INTERRUPT, UsbDescriptor.Endpoint.interrupt(0x82, 8, 1).transferType());
        assertEquals(0x400, new UsbDescriptor.Endpoint(0x81, 1, 0x1400, 1).packetSize(),
                "bits 11-12 are extra transactions, not size");
    }

    @Test
    void configurationGroupsInterfacesEndpointsCompanionsAndClassDescriptors() {
        byte[] c = bytes(
                9, 2, 52, 0, 2, 1, 0, 0x80, 50, // configuration: 52 bytes, 2 interfaces
                8, 0x0b, 0, 2, 0xff, 0, 0, 0, // IAD before the first interface: belongs to none
                9, 4, 0, 0, 1, 0xff, 0, 0, 0, // interface 0 alt 0, one endpoint
                4, 0x24, 1, 2, // class-specific, before the endpoint: the interface's
                7, 5, 0x81, 2, 0x00, 0x04, 0, // bulk IN 1024
                6, 0x30, 3, 0, 0, 0, // its companion: bursts of 4
                9, 4, 1, 0, 0, 0xff, 0, 0, 0); // interface 1 alt 0, no endpoints
        ConfigurationDescriptor config = ConfigurationDescriptor.parse(c);
        List<UsbInterface> settings = config.interfaceSettings();
        assertEquals(2, settings.size());
        UsbInterface first = config.interfaceSetting(0, 0);
        assertEquals(List.of(UsbDescriptor.Raw.of(0x24, 1, 2)), first.classDescriptors());
        UsbEndpoint in = first.endpoint(Direction.IN, TransferType.BULK).orElseThrow();
        assertEquals(0x81, in.address());
        assertEquals(1024, in.maxPacketSize());
        assertEquals(4, in.maxBurst());
        assertEquals(java.util.Optional.empty(), first.endpoint(Direction.OUT, TransferType.BULK));
        assertEquals(List.of(), config.interfaceSetting(1, 0).endpoints());
        rejects(() -> config.interfaceSetting(1, 1), "no interface 1 alternate setting 1");
    }
}
