package dev.gadget4j.descriptor;

import java.util.List;

/** Little-endian field access and range checks shared by the descriptor records and blob parsers. */
final class Wire {
    private Wire() {
    }

    static int u8(byte[] b, int at) {
        return b[at] & 0xff;
    }

    static int le16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    /** Unsigned, so that a count or length of 0xffffffff reads as itself instead of -1. */
    static long le32(byte[] b, int at) {
        return Integer.toUnsignedLong((b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16
                | (b[at + 3] & 0xff) << 24);
    }

    static void putLe16(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >> 8);
    }

    static void putLe32(byte[] b, int at, long v) {
        putLe16(b, at, (int) v);
        putLe16(b, at + 2, (int) (v >> 16));
    }

    static int range(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be " + min + ".." + max + ", got " + value);
        }
        return value;
    }

    static int u8(String field, int value) {
        return range(field, value, 0, 0xff);
    }

    static int u16(String field, int value) {
        return range(field, value, 0, 0xffff);
    }

    static String hex(int value) {
        return String.format("0x%02x", value);
    }

    static List<String> hex(List<Integer> values) {
        return values.stream().map(Wire::hex).toList();
    }

    /** Throws unless {@code need} bytes remain at {@code at}; {@code what} names the field being read. */
    static void need(byte[] b, int at, int need, String what) {
        if (at < 0 || b.length - at < need) {
            throw new IllegalArgumentException(what + " at offset " + at + " needs " + need + " bytes, "
                    + Math.max(0, b.length - at) + " left: the blob is truncated");
        }
    }
}
