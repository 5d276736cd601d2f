package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.Wire.le16;
import static dev.gadget4j.descriptor.Wire.u8;

import dev.gadget4j.Speed;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A configuration descriptor with the descriptors that follow it: what the host gets for
 * GET_DESCRIPTOR(CONFIGURATION) with a wLength of at least wTotalLength.
 *
 * @param interfaceCount     bNumInterfaces; kept as given rather than counted, because the kernel
 *                           writes the number of interface ids it handed out, which includes
 *                           functions that have no descriptors at the current speed
 * @param configurationValue bConfigurationValue, what SET_CONFIGURATION selects it by
 * @param stringIndex        iConfiguration
 * @param attributes         bmAttributes: bit 7 must be set, bit 6 self-powered, bit 5 remote wakeup
 * @param maxPower           bMaxPower in the speed's units (2 mA, 8 mA at SuperSpeed)
 * @param descriptors        interfaces, endpoints and the rest, in order
 */
public record ConfigurationDescriptor(int interfaceCount, int configurationValue, int stringIndex, int attributes,
                                      int maxPower, List<UsbDescriptor> descriptors) {
    /** bLength of the configuration descriptor itself. */
    public static final int SIZE = 9;
    /** bmAttributes bit 7, which USB 2.0 9.6.3 requires to be one. */
    public static final int ATTRIBUTES_ONE = 0x80;
    /** bmAttributes: self-powered. */
    public static final int SELF_POWERED = 0x40;
    /** bmAttributes: remote wakeup. */
    public static final int REMOTE_WAKEUP = 0x20;

    /** Checks the fields and that wTotalLength fits 16 bits. */
    public ConfigurationDescriptor {
        Wire.u8("bNumInterfaces", interfaceCount);
        Wire.u8("bConfigurationValue", configurationValue);
        Wire.u8("iConfiguration", stringIndex);
        Wire.u8("bmAttributes", attributes);
        if ((attributes & ATTRIBUTES_ONE) == 0) {
            throw new IllegalArgumentException("bmAttributes " + Wire.hex(attributes) + " must have bit 7 set");
        }
        Wire.u8("bMaxPower", maxPower);
        descriptors = List.copyOf(descriptors);
        int total = SIZE + descriptors.stream().mapToInt(d -> d.toBytes().length).sum();
        Wire.u16("wTotalLength", total);
    }

    /** wTotalLength: this descriptor and all that follow it. */
    public int totalLength() {
        return SIZE + descriptors.stream().mapToInt(d -> d.toBytes().length).sum();
    }

    /** The interface descriptors, in order. */
    public List<UsbDescriptor.Interface> interfaces() {
        return descriptors.stream().filter(d -> d instanceof UsbDescriptor.Interface)
                .map(d -> (UsbDescriptor.Interface) d).toList();
    }

    /** The endpoint descriptors, in order. */
    public List<UsbDescriptor.Endpoint> endpoints() {
        return descriptors.stream().filter(d -> d instanceof UsbDescriptor.Endpoint)
                .map(d -> (UsbDescriptor.Endpoint) d).toList();
    }

    /**
     * The interfaces with their endpoints, one entry per alternate setting, in descriptor order:
     * the typed view a host driver works from ({@code interfaces().getFirst().endpoint(IN, BULK)}).
     */
    public List<UsbInterface> interfaceSettings() {
        return UsbInterface.group(descriptors);
    }

    /**
     * The alternate setting {@code alternateSetting} of interface {@code number}.
     *
     * @throws IllegalArgumentException when the configuration has no such interface or setting
     */
    public UsbInterface interfaceSetting(int number, int alternateSetting) {
        return interfaceSettings().stream()
                .filter(i -> i.number() == number && i.alternateSetting() == alternateSetting).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("configuration " + configurationValue
                        + " has no interface " + number + " alternate setting " + alternateSetting));
    }

    /** The wTotalLength bytes. */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] head = {SIZE, DescriptorType.CONFIGURATION, 0, 0, (byte) interfaceCount, (byte) configurationValue,
            (byte) stringIndex, (byte) attributes, (byte) maxPower};
        Wire.putLe16(head, 2, totalLength());
        out.writeBytes(head);
        descriptors.forEach(d -> out.writeBytes(d.toBytes()));
        return out.toByteArray();
    }

    /**
     * wTotalLength from the first 9 bytes, for a host that reads the header first and then the
     * whole set.
     */
    public static int totalLength(byte[] header) {
        checkHeader(header);
        return le16(header, 2);
    }

    /**
     * Parses a whole configuration descriptor set. Any well-formed descriptor is accepted after the
     * header; unknown types come back as {@link UsbDescriptor.Raw}.
     *
     * @throws IllegalArgumentException when the header is wrong, wTotalLength is not the array's
     *                                  length, or a descriptor's bLength is bad
     */
    public static ConfigurationDescriptor parse(byte[] b) {
        int total = totalLength(b);
        if (total != b.length) {
            throw new IllegalArgumentException("wTotalLength " + total + " but " + b.length + " bytes given");
        }
        DescriptorReader r = new DescriptorReader(b, SIZE, false);
        List<UsbDescriptor> list = new ArrayList<>();
        while (!r.atEnd()) {
            list.add(r.next());
        }
        return new ConfigurationDescriptor(u8(b, 4), u8(b, 5), u8(b, 6), u8(b, 7), u8(b, 8), list);
    }

    private static void checkHeader(byte[] b) {
        Wire.need(b, 0, SIZE, "configuration descriptor");
        if (u8(b, 0) != SIZE || u8(b, 1) != DescriptorType.CONFIGURATION) {
            throw new IllegalArgumentException("not a configuration descriptor: bLength " + u8(b, 0)
                    + ", bDescriptorType " + Wire.hex(u8(b, 1)) + " (9 and 0x02 expected)");
        }
    }
}
