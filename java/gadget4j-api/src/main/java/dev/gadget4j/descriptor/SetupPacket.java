package dev.gadget4j.descriptor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 8-byte setup packet of a control request ({@code struct usb_ctrlrequest}).
 *
 * @param requestType bmRequestType: bit 7 direction (1 = device to host), bits 5-6 type, bits 0-4 recipient
 * @param request     bRequest
 * @param value       wValue
 * @param index       wIndex (for FunctionFS SETUP events: the function's own interface or endpoint number)
 * @param length      wLength, the data stage's size
 */
public record SetupPacket(int requestType, int request, int value, int index, int length) {
    public static final int GET_STATUS = 0;
    public static final int CLEAR_FEATURE = 1;
    public static final int SET_FEATURE = 3;
    public static final int GET_DESCRIPTOR = 6;
    public static final int GET_CONFIGURATION = 8;
    public static final int SET_CONFIGURATION = 9;
    public static final int GET_INTERFACE = 10;
    public static final int SET_INTERFACE = 11;

    public SetupPacket {
        check("requestType", requestType, 0xff);
        check("request", request, 0xff);
        check("value", value, 0xffff);
        check("index", index, 0xffff);
        check("length", length, 0xffff);
    }

    private static void check(String field, int v, int max) {
        if (v < 0 || v > max) {
            throw new IllegalArgumentException(field + " must be 0.." + max + ", got " + v);
        }
    }

    /** Whether the data stage goes from device to host. */
    public boolean deviceToHost() {
        return (requestType & 0x80) != 0;
    }

    /** 0 standard, 1 class, 2 vendor. */
    public int type() {
        return (requestType >> 5) & 3;
    }

    /** 0 device, 1 interface, 2 endpoint, 3 other. */
    public int recipient() {
        return requestType & 0x1f;
    }

    public byte[] toBytes() {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).put((byte) requestType).put((byte) request)
                .putShort((short) value).putShort((short) index).putShort((short) length).array();
    }

    /** Parses 8 bytes at {@code offset}. */
    public static SetupPacket parse(byte[] b, int offset) {
        if (offset < 0 || b.length - offset < 8) {
            throw new IllegalArgumentException("a setup packet is 8 bytes, " + Math.max(0, b.length - offset) + " left");
        }
        ByteBuffer bb = ByteBuffer.wrap(b, offset, 8).order(ByteOrder.LITTLE_ENDIAN);
        return new SetupPacket(bb.get() & 0xff, bb.get() & 0xff, bb.getShort() & 0xffff, bb.getShort() & 0xffff,
                bb.getShort() & 0xffff);
    }

    @Override
    public String toString() {
        return String.format("SETUP(%02x %02x value=%04x index=%04x length=%d)", requestType, request, value, index, length);
    }
}
