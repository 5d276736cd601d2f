package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.Wire.le16;
import static dev.gadget4j.descriptor.Wire.u8;

/**
 * The 8-byte setup packet of a control request ({@code struct usb_ctrlrequest}): bmRequestType,
 * bRequest, then little-endian wValue, wIndex and wLength.
 *
 * @param requestType bmRequestType: bit 7 direction ({@link Direction#IN_BIT} = device to host),
 *                    bits 5-6 type, bits 0-4 recipient
 * @param request     bRequest
 * @param value       wValue
 * @param index       wIndex (in a FunctionFS SETUP event: the function's own interface or
 *                    endpoint number)
 * @param length      wLength, the most bytes the data stage may carry
 */
public record SetupPacket(int requestType, int request, int value, int index, int length) {
    /** The packet's size. */
    public static final int SIZE = 8;

    /** bRequest GET_STATUS. */
    public static final int GET_STATUS = 0x00;
    /** bRequest CLEAR_FEATURE. */
    public static final int CLEAR_FEATURE = 0x01;
    /** bRequest SET_FEATURE. */
    public static final int SET_FEATURE = 0x03;
    /** bRequest SET_ADDRESS. */
    public static final int SET_ADDRESS = 0x05;
    /** bRequest GET_DESCRIPTOR. */
    public static final int GET_DESCRIPTOR = 0x06;
    /** bRequest SET_DESCRIPTOR. */
    public static final int SET_DESCRIPTOR = 0x07;
    /** bRequest GET_CONFIGURATION. */
    public static final int GET_CONFIGURATION = 0x08;
    /** bRequest SET_CONFIGURATION. */
    public static final int SET_CONFIGURATION = 0x09;
    /** bRequest GET_INTERFACE. */
    public static final int GET_INTERFACE = 0x0a;
    /** bRequest SET_INTERFACE. */
    public static final int SET_INTERFACE = 0x0b;
    /** bRequest SYNCH_FRAME. */
    public static final int SYNCH_FRAME = 0x0c;
    /** bRequest SET_SEL (SuperSpeed). */
    public static final int SET_SEL = 0x30;
    /** bRequest SET_ISOCH_DELAY (SuperSpeed). */
    public static final int SET_ISOCH_DELAY = 0x31;

    /** {@link #type()}: a standard request. */
    public static final int TYPE_STANDARD = 0;
    /** {@link #type()}: a class request. */
    public static final int TYPE_CLASS = 1;
    /** {@link #type()}: a vendor request. */
    public static final int TYPE_VENDOR = 2;

    /** {@link #recipient()}: the device. */
    public static final int RECIPIENT_DEVICE = 0;
    /** {@link #recipient()}: an interface, named by wIndex. */
    public static final int RECIPIENT_INTERFACE = 1;
    /** {@link #recipient()}: an endpoint, addressed by wIndex. */
    public static final int RECIPIENT_ENDPOINT = 2;
    /** {@link #recipient()}: other. */
    public static final int RECIPIENT_OTHER = 3;

    /** Checks every field fits its width. */
    public SetupPacket {
        Wire.u8("bmRequestType", requestType);
        Wire.u8("bRequest", request);
        Wire.u16("wValue", value);
        Wire.u16("wIndex", index);
        Wire.u16("wLength", length);
    }

    /** A packet assembled from its parts; {@code type} and {@code recipient} as {@link #type()} and {@link #recipient()}. */
    public static SetupPacket of(Direction direction, int type, int recipient, int request, int value, int index,
                                 int length) {
        Wire.range("request type", type, 0, 3);
        Wire.range("recipient", recipient, 0, 31);
        return new SetupPacket(direction.bit() | type << 5 | recipient, request, value, index, length);
    }

    /** A standard GET_DESCRIPTOR to the device: wValue is type then index, wIndex the language for strings. */
    public static SetupPacket getDescriptor(int descriptorType, int descriptorIndex, int languageId, int length) {
        return of(Direction.IN, TYPE_STANDARD, RECIPIENT_DEVICE, GET_DESCRIPTOR,
                Wire.u8("descriptor type", descriptorType) << 8 | Wire.u8("descriptor index", descriptorIndex),
                languageId, length);
    }

    /** Bit 7 of bmRequestType: which way the data stage goes. */
    public Direction direction() {
        return Direction.of(requestType);
    }

    /** Whether the data stage goes device to host. */
    public boolean deviceToHost() {
        return direction() == Direction.IN;
    }

    /** Bits 5-6 of bmRequestType: {@link #TYPE_STANDARD}, {@link #TYPE_CLASS}, {@link #TYPE_VENDOR} or 3 (reserved). */
    public int type() {
        return (requestType >> 5) & 3;
    }

    /** Bits 0-4 of bmRequestType: {@link #RECIPIENT_DEVICE} and the rest. */
    public int recipient() {
        return requestType & 0x1f;
    }

    /** For GET_DESCRIPTOR and SET_DESCRIPTOR: the descriptor type in wValue's high byte. */
    public int descriptorType() {
        return value >> 8;
    }

    /** For GET_DESCRIPTOR and SET_DESCRIPTOR: the descriptor index in wValue's low byte. */
    public int descriptorIndex() {
        return value & 0xff;
    }

    /** The 8 bytes. */
    public byte[] toBytes() {
        byte[] b = {(byte) requestType, (byte) request, 0, 0, 0, 0, 0, 0};
        Wire.putLe16(b, 2, value);
        Wire.putLe16(b, 4, index);
        Wire.putLe16(b, 6, length);
        return b;
    }

    /** Parses exactly 8 bytes. */
    public static SetupPacket parse(byte[] b) {
        if (b.length != SIZE) {
            throw new IllegalArgumentException("a setup packet is 8 bytes, got " + b.length);
        }
        return parse(b, 0);
    }

    /** Parses the 8 bytes at {@code offset}. */
    public static SetupPacket parse(byte[] b, int offset) {
        Wire.need(b, offset, SIZE, "setup packet");
        return new SetupPacket(u8(b, offset), u8(b, offset + 1), le16(b, offset + 2), le16(b, offset + 4),
                le16(b, offset + 6));
    }

    @Override
    public String toString() {
        return String.format("SETUP(%02x %02x value=%04x index=%04x length=%d)", requestType, request, value, index,
                length);
    }
}
