package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.Wire.le16;
import static dev.gadget4j.descriptor.Wire.u16;
import static dev.gadget4j.descriptor.Wire.u8;

/**
 * The 18-byte device descriptor. It belongs to the gadget, never to a FunctionFS function; it is
 * here for the host side, which reads it first.
 *
 * @param usbVersion         bcdUSB (0x0200 for USB 2.0, 0x0320 for 3.2)
 * @param deviceClass        bDeviceClass (0: per interface; 0xef with IADs)
 * @param deviceSubClass     bDeviceSubClass
 * @param deviceProtocol     bDeviceProtocol
 * @param maxPacketSize0     bMaxPacketSize0: 8, 16, 32 or 64; at SuperSpeed the exponent 9 (512 bytes)
 * @param vendorId           idVendor
 * @param productId          idProduct
 * @param deviceVersion      bcdDevice
 * @param manufacturerIndex  iManufacturer
 * @param productIndex       iProduct
 * @param serialNumberIndex  iSerialNumber
 * @param configurationCount bNumConfigurations
 */
public record DeviceDescriptor(int usbVersion, int deviceClass, int deviceSubClass, int deviceProtocol,
                               int maxPacketSize0, int vendorId, int productId, int deviceVersion,
                               int manufacturerIndex, int productIndex, int serialNumberIndex,
                               int configurationCount) {
    /** bLength. */
    public static final int SIZE = 18;

    /** Checks every field's range and bMaxPacketSize0 against the values USB allows. */
    public DeviceDescriptor {
        u16("bcdUSB", usbVersion);
        u8("bDeviceClass", deviceClass);
        u8("bDeviceSubClass", deviceSubClass);
        u8("bDeviceProtocol", deviceProtocol);
        if (maxPacketSize0 != 8 && maxPacketSize0 != 16 && maxPacketSize0 != 32 && maxPacketSize0 != 64
                && maxPacketSize0 != 9) {
            throw new IllegalArgumentException("bMaxPacketSize0 must be 8, 16, 32, 64 or 9 (SuperSpeed's 2^9), got "
                    + maxPacketSize0);
        }
        u16("idVendor", vendorId);
        u16("idProduct", productId);
        u16("bcdDevice", deviceVersion);
        u8("iManufacturer", manufacturerIndex);
        u8("iProduct", productIndex);
        u8("iSerialNumber", serialNumberIndex);
        u8("bNumConfigurations", configurationCount);
    }

    /** ep0's packet size in bytes ({@code 1 << 9} for the SuperSpeed exponent). */
    public int ep0PacketSize() {
        return maxPacketSize0 == 9 ? 512 : maxPacketSize0;
    }

    /** The 18 bytes. */
    public byte[] toBytes() {
        byte[] b = new byte[SIZE];
        b[0] = SIZE;
        b[1] = DescriptorType.DEVICE;
        Wire.putLe16(b, 2, usbVersion);
        b[4] = (byte) deviceClass;
        b[5] = (byte) deviceSubClass;
        b[6] = (byte) deviceProtocol;
        b[7] = (byte) maxPacketSize0;
        Wire.putLe16(b, 8, vendorId);
        Wire.putLe16(b, 10, productId);
        Wire.putLe16(b, 12, deviceVersion);
        b[14] = (byte) manufacturerIndex;
        b[15] = (byte) productIndex;
        b[16] = (byte) serialNumberIndex;
        b[17] = (byte) configurationCount;
        return b;
    }

    /**
     * Parses exactly 18 bytes.
     *
     * @throws IllegalArgumentException on another length, bLength or bDescriptorType, or a bad field
     */
    public static DeviceDescriptor parse(byte[] b) {
        if (b.length != SIZE || u8(b, 0) != SIZE || u8(b, 1) != DescriptorType.DEVICE) {
            throw new IllegalArgumentException("not a device descriptor: " + b.length + " bytes"
                    + (b.length >= 2 ? ", bLength " + u8(b, 0) + ", bDescriptorType " + Wire.hex(u8(b, 1)) : "")
                    + " (18 bytes, bLength 18, type 0x01 expected)");
        }
        return new DeviceDescriptor(le16(b, 2), u8(b, 4), u8(b, 5), u8(b, 6), u8(b, 7), le16(b, 8), le16(b, 10),
                le16(b, 12), u8(b, 14), u8(b, 15), u8(b, 16), u8(b, 17));
    }
}
