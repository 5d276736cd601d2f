package dev.gadget4j.descriptor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A USB descriptor as FunctionFS takes it in a function's descriptor sets. Interface, endpoint,
 * SuperSpeed companion and interface association descriptors are typed; anything else (class
 * specific descriptors) is carried as {@link Raw} bytes, as the kernel passes it through.
 */
public sealed interface UsbDescriptor {
    int INTERFACE = 4;
    int ENDPOINT = 5;
    int INTERFACE_ASSOCIATION = 11;
    int SS_ENDPOINT_COMPANION = 48;

    /** The descriptor's bytes, bLength first. */
    byte[] toBytes();

    /** bDescriptorType. */
    int type();

    private static void u8(String field, int v) {
        if (v < 0 || v > 0xff) {
            throw new IllegalArgumentException(field + " must be 0..255, got " + v);
        }
    }

    /**
     * An interface descriptor (9 bytes).
     *
     * @param stringIndex iInterface: 1-based index into the function's strings, 0 for none
     */
    record Interface(int number, int alternateSetting, int endpointCount, int interfaceClass, int subClass,
                     int protocol, int stringIndex) implements UsbDescriptor {
        public Interface {
            u8("bInterfaceNumber", number);
            u8("bAlternateSetting", alternateSetting);
            u8("bNumEndpoints", endpointCount);
            u8("bInterfaceClass", interfaceClass);
            u8("bInterfaceSubClass", subClass);
            u8("bInterfaceProtocol", protocol);
            u8("iInterface", stringIndex);
        }

        @Override
        public int type() {
            return INTERFACE;
        }

        @Override
        public byte[] toBytes() {
            return new byte[] {9, INTERFACE, (byte) number, (byte) alternateSetting, (byte) endpointCount,
                (byte) interfaceClass, (byte) subClass, (byte) protocol, (byte) stringIndex};
        }
    }

    /**
     * An endpoint descriptor: 7 bytes, or 9 with the audio fields {@code bRefresh} and
     * {@code bSynchAddress} (FunctionFS accepts both).
     *
     * @param address    bEndpointAddress: the function-local number, bit 7 set for IN
     * @param attributes bmAttributes: bits 0-1 transfer type (0 control, 1 isochronous, 2 bulk, 3 interrupt)
     */
    record Endpoint(int address, int attributes, int maxPacketSize, int interval, boolean audio, int refresh,
                    int synchAddress) implements UsbDescriptor {
        public static final int BULK = 2;
        public static final int INTERRUPT = 3;

        public Endpoint {
            u8("bEndpointAddress", address);
            if ((address & 0x0f) == 0 || (address & 0x70) != 0) {
                throw new IllegalArgumentException("bEndpointAddress must name endpoint 1..15, got 0x"
                        + Integer.toHexString(address));
            }
            u8("bmAttributes", attributes);
            if (maxPacketSize < 0 || maxPacketSize > 0xffff) {
                throw new IllegalArgumentException("wMaxPacketSize must fit 16 bits, got " + maxPacketSize);
            }
            u8("bInterval", interval);
            u8("bRefresh", refresh);
            u8("bSynchAddress", synchAddress);
        }

        /** A 7-byte endpoint descriptor. */
        public Endpoint(int address, int attributes, int maxPacketSize, int interval) {
            this(address, attributes, maxPacketSize, interval, false, 0, 0);
        }

        /** A bulk endpoint. */
        public static Endpoint bulk(int address, int maxPacketSize) {
            return new Endpoint(address, BULK, maxPacketSize, 0);
        }

        public boolean in() {
            return (address & 0x80) != 0;
        }

        /** bmAttributes bits 0-1. */
        public int transferType() {
            return attributes & 3;
        }

        @Override
        public int type() {
            return ENDPOINT;
        }

        @Override
        public byte[] toBytes() {
            byte[] b = {(byte) (audio ? 9 : 7), ENDPOINT, (byte) address, (byte) attributes, (byte) maxPacketSize,
                (byte) (maxPacketSize >> 8), (byte) interval, (byte) refresh, (byte) synchAddress};
            return audio ? b : Arrays.copyOf(b, 7);
        }
    }

    /** A SuperSpeed endpoint companion (6 bytes); follows its endpoint in the SuperSpeed set. */
    record SsCompanion(int maxBurst, int attributes, int bytesPerInterval) implements UsbDescriptor {
        public SsCompanion {
            if (maxBurst < 0 || maxBurst > 15) {
                throw new IllegalArgumentException("bMaxBurst must be 0..15, got " + maxBurst);
            }
            u8("bmAttributes", attributes);
            if (bytesPerInterval < 0 || bytesPerInterval > 0xffff) {
                throw new IllegalArgumentException("wBytesPerInterval must fit 16 bits, got " + bytesPerInterval);
            }
        }

        @Override
        public int type() {
            return SS_ENDPOINT_COMPANION;
        }

        @Override
        public byte[] toBytes() {
            return new byte[] {6, SS_ENDPOINT_COMPANION, (byte) maxBurst, (byte) attributes, (byte) bytesPerInterval,
                (byte) (bytesPerInterval >> 8)};
        }
    }

    /** An interface association descriptor (8 bytes). */
    record InterfaceAssociation(int firstInterface, int interfaceCount, int functionClass, int subClass, int protocol,
                                int stringIndex) implements UsbDescriptor {
        public InterfaceAssociation {
            u8("bFirstInterface", firstInterface);
            u8("bInterfaceCount", interfaceCount);
            u8("bFunctionClass", functionClass);
            u8("bFunctionSubClass", subClass);
            u8("bFunctionProtocol", protocol);
            u8("iFunction", stringIndex);
        }

        @Override
        public int type() {
            return INTERFACE_ASSOCIATION;
        }

        @Override
        public byte[] toBytes() {
            return new byte[] {8, INTERFACE_ASSOCIATION, (byte) firstInterface, (byte) interfaceCount,
                (byte) functionClass, (byte) subClass, (byte) protocol, (byte) stringIndex};
        }
    }

    /** Any other descriptor, passed through byte for byte. */
    record Raw(byte[] bytes) implements UsbDescriptor {
        public Raw {
            if (bytes.length < 2 || (bytes[0] & 0xff) != bytes.length) {
                throw new IllegalArgumentException("bLength " + (bytes.length < 1 ? "missing" : bytes[0] & 0xff)
                        + " does not match the descriptor's " + bytes.length + " bytes");
            }
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public int type() {
            return bytes[1] & 0xff;
        }

        @Override
        public byte[] toBytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Raw r && Arrays.equals(bytes, r.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }

        @Override
        public String toString() {
            return "Raw" + Arrays.toString(bytes);
        }
    }

    /**
     * Parses one descriptor at {@code offset}, checking bLength the way f_fs.c's
     * {@code ffs_do_single_desc} does for the types it knows.
     */
    static UsbDescriptor parse(byte[] b, int offset) {
        if (b.length - offset < 2) {
            throw new IllegalArgumentException("descriptor at offset " + offset + " is truncated");
        }
        int len = b[offset] & 0xff;
        int type = b[offset + 1] & 0xff;
        if (len < 2 || offset + len > b.length) {
            throw new IllegalArgumentException("descriptor at offset " + offset + " has bad bLength " + len);
        }
        byte[] d = Arrays.copyOfRange(b, offset, offset + len);
        return switch (type) {
            case INTERFACE -> {
                expect(len, 9, "interface", offset);
                yield new Interface(d[2] & 0xff, d[3] & 0xff, d[4] & 0xff, d[5] & 0xff, d[6] & 0xff, d[7] & 0xff,
                        d[8] & 0xff);
            }
            case ENDPOINT -> {
                if (len != 7 && len != 9) {
                    throw new IllegalArgumentException("endpoint descriptor at offset " + offset + " has bLength " + len
                            + " (7 or 9 expected)");
                }
                yield new Endpoint(d[2] & 0xff, d[3] & 0xff, (d[4] & 0xff) | (d[5] & 0xff) << 8, d[6] & 0xff,
                        len == 9, len == 9 ? d[7] & 0xff : 0, len == 9 ? d[8] & 0xff : 0);
            }
            case SS_ENDPOINT_COMPANION -> {
                expect(len, 6, "SuperSpeed endpoint companion", offset);
                yield new SsCompanion(d[2] & 0xff, d[3] & 0xff, (d[4] & 0xff) | (d[5] & 0xff) << 8);
            }
            case INTERFACE_ASSOCIATION -> {
                expect(len, 8, "interface association", offset);
                yield new InterfaceAssociation(d[2] & 0xff, d[3] & 0xff, d[4] & 0xff, d[5] & 0xff, d[6] & 0xff,
                        d[7] & 0xff);
            }
            case 1, 2 -> throw new IllegalArgumentException("descriptor at offset " + offset
                    + " is a device or configuration descriptor: those are the gadget's, not a function's");
            default -> new Raw(d);
        };
    }

    private static void expect(int len, int want, String what, int offset) {
        if (len != want) {
            throw new IllegalArgumentException(what + " descriptor at offset " + offset + " has bLength " + len
                    + " (" + want + " expected)");
        }
    }

    /** Parses {@code count} consecutive descriptors; returns them and the offset after the last. */
    static List<UsbDescriptor> parseAll(byte[] b, int[] offset, int count) {
        List<UsbDescriptor> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            UsbDescriptor d = parse(b, offset[0]);
            offset[0] += b[offset[0]] & 0xff;
            out.add(d);
        }
        return out;
    }
}
