package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.Wire.le16;
import static dev.gadget4j.descriptor.Wire.u8;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A USB string descriptor as the host reads it: UTF-16LE without a terminator. Index 0 is not a
 * string but the list of language ids ({@link LanguageIds}).
 *
 * @param value the text, at most 126 UTF-16 code units so that bLength fits a byte
 */
public record StringDescriptor(String value) {
    /** The most UTF-16 code units one descriptor holds: (255 - 2) / 2. */
    public static final int MAX_UNITS = 126;

    /** Checks the length. */
    public StringDescriptor {
        if (value.length() > MAX_UNITS) {
            throw new IllegalArgumentException("a string descriptor holds at most " + MAX_UNITS
                    + " UTF-16 code units, got " + value.length());
        }
    }

    /** bLength, 0x03, then the UTF-16LE text. */
    public byte[] toBytes() {
        return frame(value.getBytes(StandardCharsets.UTF_16LE));
    }

    /**
     * Parses a whole string descriptor.
     *
     * @throws IllegalArgumentException on a wrong bLength, type or odd payload length
     */
    public static StringDescriptor parse(byte[] b) {
        return new StringDescriptor(new String(payload(b), StandardCharsets.UTF_16LE));
    }

    /**
     * String descriptor 0: the language ids the device has strings in.
     *
     * @param ids LANGIDs such as {@link Strings#US_ENGLISH}
     */
    public record LanguageIds(List<Integer> ids) {
        /** Checks each id fits 16 bits and the list fits one descriptor. */
        public LanguageIds {
            ids = List.copyOf(ids);
            Wire.range("number of language ids", ids.size(), 0, MAX_UNITS);
            ids.forEach(id -> Wire.u16("wLANGID", id));
        }

        /** bLength, 0x03, then the ids as little-endian 16-bit values. */
        public byte[] toBytes() {
            byte[] p = new byte[ids.size() * 2];
            for (int i = 0; i < ids.size(); i++) {
                Wire.putLe16(p, 2 * i, ids.get(i));
            }
            return frame(p);
        }

        /** Parses string descriptor 0. */
        public static LanguageIds parse(byte[] b) {
            byte[] p = payload(b);
            List<Integer> ids = new ArrayList<>();
            for (int i = 0; i < p.length; i += 2) {
                ids.add(le16(p, i));
            }
            return new LanguageIds(ids);
        }
    }

    private static byte[] frame(byte[] payload) {
        byte[] b = new byte[2 + payload.length];
        b[0] = (byte) b.length;
        b[1] = DescriptorType.STRING;
        System.arraycopy(payload, 0, b, 2, payload.length);
        return b;
    }

    private static byte[] payload(byte[] b) {
        if (b.length < 2 || u8(b, 0) != b.length || u8(b, 1) != DescriptorType.STRING || b.length % 2 != 0) {
            throw new IllegalArgumentException("not a string descriptor: " + b.length + " bytes"
                    + (b.length >= 2 ? ", bLength " + u8(b, 0) + ", bDescriptorType " + Wire.hex(u8(b, 1)) : "")
                    + " (an even length equal to bLength and type 0x03 expected)");
        }
        return java.util.Arrays.copyOfRange(b, 2, b.length);
    }
}
