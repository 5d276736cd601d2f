package dev.gadget4j.descriptor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.gadget4j.Speed;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Blobs worked out by hand from f_fs.c's parser ({@code __ffs_data_got_descs},
 * {@code ffs_do_os_descs}, {@code __ffs_data_got_strings}), field by field.
 */
class DescriptorsGoldenTest {

    private static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    /** sourceSink(15): one vendor interface, bulk 0x81 then 0x02, at FS, HS and SS. */
    static final byte[] SOURCE_SINK = bytes(
            0x03, 0, 0, 0, // magic FUNCTIONFS_DESCRIPTORS_MAGIC_V2
            105, 0, 0, 0, // length of the whole blob
            0x07, 0, 0, 0, // flags HAS_FS_DESC | HAS_HS_DESC | HAS_SS_DESC
            3, 0, 0, 0, // fs_count
            3, 0, 0, 0, // hs_count
            5, 0, 0, 0, // ss_count (two companions)
            // full speed
            9, 4, 0, 0, 2, 0xff, 0, 0, 1, // interface 0, alt 0, 2 endpoints, vendor class, iInterface 1
            7, 5, 0x81, 2, 64, 0, 0, // bulk IN 1, 64 bytes
            7, 5, 0x02, 2, 64, 0, 0, // bulk OUT 2, 64 bytes
            // high speed
            9, 4, 0, 0, 2, 0xff, 0, 0, 1,
            7, 5, 0x81, 2, 0x00, 0x02, 0, // 512 bytes
            7, 5, 0x02, 2, 0x00, 0x02, 0,
            // SuperSpeed
            9, 4, 0, 0, 2, 0xff, 0, 0, 1,
            7, 5, 0x81, 2, 0x00, 0x04, 0, // 1024 bytes
            6, 0x30, 15, 0, 0, 0, // companion: bMaxBurst 15
            7, 5, 0x02, 2, 0x00, 0x04, 0,
            6, 0x30, 15, 0, 0, 0);

    @Test
    void sourceSink_matchesTheHandWrittenBlob() {
        assertArrayEquals(SOURCE_SINK, Descriptors.sourceSink(15).toBytes());
    }

    @Test
    void sourceSink_parsesAndReserialisesByteForByte() {
        Descriptors d = Descriptors.parse(SOURCE_SINK);
        assertEquals(Descriptors.sourceSink(15), d);
        assertArrayEquals(SOURCE_SINK, d.toBytes());
        assertEquals(List.of(0x81, 0x02), d.endpoints().stream().map(UsbDescriptor.Endpoint::address).toList(),
                "ep1 is the first endpoint descriptor, ep2 the second");
        assertEquals(1024, ((UsbDescriptor.Endpoint) d.descriptors(Speed.SUPER).get(1)).maxPacketSize());
    }

    /** Two languages, two strings each. */
    static final byte[] STRINGS = bytes(
            0x02, 0, 0, 0, // FUNCTIONFS_STRINGS_MAGIC
            31, 0, 0, 0, // length: 16 + (2 + 3 + 2) + (2 + 2 + 4)
            2, 0, 0, 0, // str_count
            2, 0, 0, 0, // lang_count
            0x09, 0x04, 'a', 'b', 0, 'c', 0, // en-US: "ab", "c"
            0x07, 0x04, 'd', 0, 0xc3, 0xa9, 'f', 0); // de-DE: "d", "éf" in UTF-8

    @Test
    void strings_twoLanguages_matchAndRoundTrip() {
        Strings s = Strings.builder().language(0x0409, "ab", "c").language(0x0407, "d", "éf").build();
        assertArrayEquals(STRINGS, s.toBytes());
        assertEquals(s, Strings.parse(STRINGS));
        assertArrayEquals(STRINGS, Strings.parse(STRINGS).toBytes());
    }

    /** FS only, ALL_CTRL_RECIP, with an extended compat ID "WINUSB" and one extended property. */
    @Test
    void msOsDescriptors_extCompatAndExtProp() {
        byte[] name = bytes('A', 0, 0, 0); // "A\0" in UTF-16LE
        byte[] data = bytes('B', 0, 0, 0);
        byte[] expected = bytes(
                0x03, 0, 0, 0,
                104, 0, 0, 0, // length: header 12 + counts 8 + FS 16 + ext compat 35 + ext prop 33
                0x49, 0, 0, 0, // HAS_FS_DESC | HAS_MS_OS_DESC | ALL_CTRL_RECIP
                2, 0, 0, 0, // fs_count
                2, 0, 0, 0, // os_count
                9, 4, 0, 0, 1, 0xff, 0, 0, 0,
                7, 5, 0x81, 3, 8, 0, 4, // interrupt IN 1, 8 bytes, bInterval 4
                // extended compat: header (interface 0, dwLength 35, bcdVersion 0x0100, wIndex 4, bCount 1, reserved)
                0, 35, 0, 0, 0, 0x00, 0x01, 4, 0, 1, 0,
                0, 1, 'W', 'I', 'N', 'U', 'S', 'B', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                // extended property: header (interface 0, dwLength 33, 0x0100, wIndex 5, wCount 1)
                0, 33, 0, 0, 0, 0x00, 0x01, 5, 0, 1, 0,
                22, 0, 0, 0, // dwSize 14 + 4 + 4
                1, 0, 0, 0, // REG_SZ
                4, 0, // wPropertyNameLength
                'A', 0, 0, 0,
                4, 0, 0, 0, // dwPropertyDataLength
                'B', 0, 0, 0);
        Descriptors d = Descriptors.builder()
                .speed(Speed.FULL, List.of(new UsbDescriptor.Interface(0, 0, 1, 0xff, 0, 0, 0),
                        new UsbDescriptor.Endpoint(0x81, 3, 8, 4)))
                .osDescriptor(new OsDescriptor.ExtCompat(0, List.of(new OsDescriptor.CompatId(0, "WINUSB", ""))))
                .osDescriptor(new OsDescriptor.ExtProp(0, List.of(new OsDescriptor.Property(1, name, data))))
                .flags(Descriptors.ALL_CTRL_RECIP)
                .build();
        assertEquals(expected.length, expected[4] & 0xff, "the hand-written length field");
        assertArrayEquals(expected, d.toBytes());
        assertEquals(d, Descriptors.parse(expected));
        assertArrayEquals(expected, Descriptors.parse(expected).toBytes());
    }

    @Test
    void parse_rejectsWrongMagic() {
        byte[] b = SOURCE_SINK.clone();
        b[0] = 1;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Descriptors.parse(b)).getMessage().contains("magic"));
    }

    @Test
    void parse_rejectsLengthMismatch() {
        byte[] b = SOURCE_SINK.clone();
        b[4] = 104;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Descriptors.parse(b)).getMessage()
                .contains("header length 104 != blob length 105"));
    }

    @Test
    void parse_rejectsTruncatedBlob() {
        byte[] b = java.util.Arrays.copyOf(SOURCE_SINK, 100);
        b[4] = 100;
        assertThrows(IllegalArgumentException.class, () -> Descriptors.parse(b));
    }

    @Test
    void parse_rejectsBadEndpointLength() {
        byte[] b = SOURCE_SINK.clone();
        b[24 + 9] = 8; // first FS endpoint claims 8 bytes
        String m = assertThrows(IllegalArgumentException.class, () -> Descriptors.parse(b)).getMessage();
        assertTrue(m.contains("FULL speed") && m.contains("bLength"), m);
    }

    @Test
    void parse_rejectsLeftoverBytes() {
        byte[] b = java.util.Arrays.copyOf(SOURCE_SINK, 106);
        b[4] = 106;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Descriptors.parse(b)).getMessage()
                .contains("left over"));
    }

    @Test
    void build_rejectsDifferentEndpointsPerSpeed() {
        var fs = List.<UsbDescriptor>of(new UsbDescriptor.Interface(0, 0, 1, 0xff, 0, 0, 0), UsbDescriptor.Endpoint.bulk(0x81, 64));
        var hs = List.<UsbDescriptor>of(new UsbDescriptor.Interface(0, 0, 1, 0xff, 0, 0, 0), UsbDescriptor.Endpoint.bulk(0x82, 512));
        String m = assertThrows(IllegalArgumentException.class,
                () -> Descriptors.builder().speed(Speed.FULL, fs).speed(Speed.HIGH, hs).build()).getMessage();
        assertTrue(m.contains("0x82") && m.contains("0x81"), m);
    }

    @Test
    void strings_rejectDifferentCountsPerLanguage() {
        String m = assertThrows(IllegalArgumentException.class,
                () -> Strings.builder().language(0x409, "a", "b").language(0x407, "c").build()).getMessage();
        assertTrue(m.contains("same number"), m);
    }

    @Test
    void strings_rejectUnterminated() {
        byte[] b = java.util.Arrays.copyOf(STRINGS, 30); // the last string loses its NUL
        b[4] = 30;
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Strings.parse(b)).getMessage()
                .contains("not NUL-terminated"));
    }

    @Test
    void setupPacket_littleEndian() {
        SetupPacket p = new SetupPacket(0xc1, 0x5a, 0x1234, 0x0001, 0x0040);
        assertArrayEquals(bytes(0xc1, 0x5a, 0x34, 0x12, 0x01, 0x00, 0x40, 0x00), p.toBytes());
        assertEquals(p, SetupPacket.parse(p.toBytes(), 0));
        assertTrue(p.deviceToHost());
        assertEquals(2, p.type());
        assertEquals(1, p.recipient());
    }

    @Test
    void descriptorFields_validated() {
        assertThrows(IllegalArgumentException.class, () -> UsbDescriptor.Endpoint.bulk(0x80, 64));
        assertThrows(IllegalArgumentException.class, () -> new UsbDescriptor.Interface(256, 0, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new UsbDescriptor.SsCompanion(16, 0, 0));
    }
}
