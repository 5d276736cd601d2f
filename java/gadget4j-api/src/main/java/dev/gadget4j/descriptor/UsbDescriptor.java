package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.Wire.u16;
import static dev.gadget4j.descriptor.Wire.u8;

import java.util.Arrays;

/**
 * A descriptor that can sit in a function's descriptor set, and in the configuration descriptor
 * set the host reads. Interface, endpoint, SuperSpeed companion and interface association
 * descriptors are typed; anything else (class-specific descriptors) is carried as {@link Raw}
 * bytes.
 *
 * <p>The records check their fields when constructed, so a descriptor that exists is one USB
 * allows; whether FunctionFS takes it in a set is checked by {@link Descriptors}.
 */
public sealed interface UsbDescriptor {

    /** The descriptor's bytes, bLength first. */
    byte[] toBytes();

    /** bDescriptorType, one of {@link DescriptorType}'s values for the typed records. */
    int descriptorType();

    /**
     * An interface descriptor (9 bytes).
     *
     * @param number           bInterfaceNumber, function-local in a FunctionFS set (0 first)
     * @param alternateSetting bAlternateSetting
     * @param endpointCount    bNumEndpoints
     * @param interfaceClass   bInterfaceClass (0xff vendor specific)
     * @param subClass         bInterfaceSubClass
     * @param protocol         bInterfaceProtocol
     * @param stringIndex      iInterface: 1-based index into the function's strings, 0 for none
     */
    record Interface(int number, int alternateSetting, int endpointCount, int interfaceClass, int subClass,
                     int protocol, int stringIndex) implements UsbDescriptor {
        /** bLength. */
        public static final int SIZE = 9;

        /** Checks every field fits its byte. */
        public Interface {
            u8("bInterfaceNumber", number);
            u8("bAlternateSetting", alternateSetting);
            u8("bNumEndpoints", endpointCount);
            u8("bInterfaceClass", interfaceClass);
            u8("bInterfaceSubClass", subClass);
            u8("bInterfaceProtocol", protocol);
            u8("iInterface", stringIndex);
        }

        /** Alternate setting 0 of a vendor-specific (class 0xff) interface. */
        public static Interface vendor(int number, int endpointCount, int stringIndex) {
            return new Interface(number, 0, endpointCount, 0xff, 0, 0, stringIndex);
        }

        @Override
        public int descriptorType() {
            return DescriptorType.INTERFACE;
        }

        @Override
        public byte[] toBytes() {
            return new byte[] {SIZE, DescriptorType.INTERFACE, (byte) number, (byte) alternateSetting,
                (byte) endpointCount, (byte) interfaceClass, (byte) subClass, (byte) protocol, (byte) stringIndex};
        }
    }

    /**
     * An endpoint descriptor: 7 bytes, or 9 in the audio form that adds {@code bRefresh} and
     * {@code bSynchAddress} (FunctionFS accepts both lengths).
     *
     * @param address       bEndpointAddress: endpoint number 1..15, {@link Direction#IN_BIT} set for IN;
     *                      in a FunctionFS set the number is the function's own, not the UDC's
     * @param attributes    bmAttributes: bits 0-1 the {@link TransferType}, bits 2-5 isochronous
     *                      synchronisation and usage
     * @param maxPacketSize wMaxPacketSize as written: bits 0-10 the packet size, bits 11-12 extra
     *                      transactions per microframe for high-speed isochronous and interrupt
     *                      endpoints; 0 leaves the size to the UDC, as the kernel's ffs-test does at
     *                      full speed
     * @param interval      bInterval
     * @param audio         whether this is the 9-byte audio form
     * @param refresh       bRefresh (audio form only, else 0)
     * @param synchAddress  bSynchAddress (audio form only, else 0)
     */
    record Endpoint(int address, int attributes, int maxPacketSize, int interval, boolean audio, int refresh,
                    int synchAddress) implements UsbDescriptor {
        /** bLength of the usual form. */
        public static final int SIZE = 7;
        /** bLength of the audio form. */
        public static final int AUDIO_SIZE = 9;

        /** Checks every field fits, the address names endpoint 1..15 and the audio fields are 0 without audio. */
        public Endpoint {
            u8("bEndpointAddress", address);
            if ((address & 0x0f) == 0 || (address & 0x70) != 0) {
                throw new IllegalArgumentException("bEndpointAddress must be endpoint 1..15 with bits 4-6 clear, got "
                        + Wire.hex(address));
            }
            u8("bmAttributes", attributes);
            u16("wMaxPacketSize", maxPacketSize);
            u8("bInterval", interval);
            u8("bRefresh", refresh);
            u8("bSynchAddress", synchAddress);
            if (!audio && (refresh != 0 || synchAddress != 0)) {
                throw new IllegalArgumentException("bRefresh " + refresh + " and bSynchAddress " + synchAddress
                        + " exist only in the 9-byte audio form");
            }
        }

        /** A 7-byte endpoint descriptor. */
        public Endpoint(int address, int attributes, int maxPacketSize, int interval) {
            this(address, attributes, maxPacketSize, interval, false, 0, 0);
        }

        /** A 7-byte endpoint of {@code type} with bits 2-7 of bmAttributes clear. */
        public static Endpoint of(int address, TransferType type, int maxPacketSize, int interval) {
            return new Endpoint(address, type.bits(), maxPacketSize, interval);
        }

        /** A bulk endpoint (bInterval 0). */
        public static Endpoint bulk(int address, int maxPacketSize) {
            return of(address, TransferType.BULK, maxPacketSize, 0);
        }

        /** An interrupt endpoint. */
        public static Endpoint interrupt(int address, int maxPacketSize, int interval) {
            return of(address, TransferType.INTERRUPT, maxPacketSize, interval);
        }

        /** Whether data flows device to host. */
        public boolean in() {
            return direction() == Direction.IN;
        }

        /** Bit 7 of the address. */
        public Direction direction() {
            return Direction.of(address);
        }

        /** The endpoint number, bits 0-3 of the address. */
        public int number() {
            return address & 0x0f;
        }

        /** bmAttributes bits 0-1. */
        public TransferType transferType() {
            return TransferType.of(attributes);
        }

        /** Bits 0-10 of wMaxPacketSize: the size of one packet ({@code usb_endpoint_maxp}). */
        public int packetSize() {
            return maxPacketSize & 0x7ff;
        }

        @Override
        public int descriptorType() {
            return DescriptorType.ENDPOINT;
        }

        @Override
        public byte[] toBytes() {
            byte[] b = {(byte) AUDIO_SIZE, DescriptorType.ENDPOINT, (byte) address, (byte) attributes,
                (byte) maxPacketSize, (byte) (maxPacketSize >> 8), (byte) interval, (byte) refresh,
                (byte) synchAddress};
            if (audio) {
                return b;
            }
            byte[] s = Arrays.copyOf(b, SIZE);
            s[0] = SIZE;
            return s;
        }
    }

    /**
     * A SuperSpeed endpoint companion (6 bytes); follows its endpoint in the SuperSpeed set.
     *
     * @param maxBurst         bMaxBurst: packets per burst minus one
     * @param attributes       bmAttributes: MaxStreams (bulk) or Mult (isochronous)
     * @param bytesPerInterval wBytesPerInterval (periodic endpoints)
     */
    record SsCompanion(int maxBurst, int attributes, int bytesPerInterval) implements UsbDescriptor {
        /** bLength. */
        public static final int SIZE = 6;

        /** Checks the ranges. */
        public SsCompanion {
            Wire.range("bMaxBurst", maxBurst, 0, 15);
            u8("bmAttributes", attributes);
            u16("wBytesPerInterval", bytesPerInterval);
        }

        /** A bulk companion without streams. */
        public static SsCompanion bulk(int maxBurst) {
            return new SsCompanion(maxBurst, 0, 0);
        }

        @Override
        public int descriptorType() {
            return DescriptorType.SS_ENDPOINT_COMPANION;
        }

        @Override
        public byte[] toBytes() {
            return new byte[] {SIZE, DescriptorType.SS_ENDPOINT_COMPANION, (byte) maxBurst, (byte) attributes,
                (byte) bytesPerInterval, (byte) (bytesPerInterval >> 8)};
        }
    }

    /**
     * An interface association descriptor (8 bytes), grouping consecutive interfaces into one
     * function for the host.
     *
     * @param firstInterface bFirstInterface (f_fs.c leaves it unrenumbered when binding)
     * @param interfaceCount bInterfaceCount
     * @param functionClass  bFunctionClass
     * @param subClass       bFunctionSubClass
     * @param protocol       bFunctionProtocol
     * @param stringIndex    iFunction: 1-based index into the function's strings, 0 for none
     */
    record InterfaceAssociation(int firstInterface, int interfaceCount, int functionClass, int subClass, int protocol,
                                int stringIndex) implements UsbDescriptor {
        /** bLength. */
        public static final int SIZE = 8;

        /** Checks every field fits its byte. */
        public InterfaceAssociation {
            u8("bFirstInterface", firstInterface);
            u8("bInterfaceCount", interfaceCount);
            u8("bFunctionClass", functionClass);
            u8("bFunctionSubClass", subClass);
            u8("bFunctionProtocol", protocol);
            u8("iFunction", stringIndex);
        }

        @Override
        public int descriptorType() {
            return DescriptorType.INTERFACE_ASSOCIATION;
        }

        @Override
        public byte[] toBytes() {
            return new byte[] {SIZE, DescriptorType.INTERFACE_ASSOCIATION, (byte) firstInterface,
                (byte) interfaceCount, (byte) functionClass, (byte) subClass, (byte) protocol, (byte) stringIndex};
        }
    }

    /** Any other descriptor, kept byte for byte. */
    record Raw(byte[] bytes) implements UsbDescriptor {
        /** Checks that bLength is the array's length. */
        public Raw {
            if (bytes.length < 2 || bytes.length > 255 || (bytes[0] & 0xff) != bytes.length) {
                throw new IllegalArgumentException("bLength " + (bytes.length < 1 ? "missing" : bytes[0] & 0xff)
                        + " does not match the descriptor's " + bytes.length + " bytes");
            }
            bytes = bytes.clone();
        }

        /** A descriptor of {@code type} with this payload; bLength is worked out. */
        public static Raw of(int type, int... payload) {
            byte[] b = new byte[2 + payload.length];
            b[0] = (byte) b.length;
            b[1] = (byte) u8("bDescriptorType", type);
            for (int i = 0; i < payload.length; i++) {
                b[2 + i] = (byte) u8("payload byte " + i, payload[i]);
            }
            return new Raw(b);
        }

        /** A copy of the bytes, bLength first. */
        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public int descriptorType() {
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
}
