package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.TestBytes.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gadget4j.descriptor.UsbDescriptor.Endpoint;
import dev.gadget4j.descriptor.UsbDescriptor.Interface;
import dev.gadget4j.descriptor.UsbDescriptor.SsCompanion;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Blobs worked out by hand from f_fs.c's parser ({@code __ffs_data_got_descs},
 * {@code ffs_do_descs}, {@code ffs_do_single_desc}, {@code ffs_do_os_descs},
 * {@code __ffs_data_got_strings}) and functionfs.h's structs, field by field. Each is checked
 * three ways: the builder writes it, parse reads it back to an equal model, and that model writes
 * the same bytes again.
 */
class DescriptorsGoldenTest {

    private static void roundTrips(byte[] golden, Descriptors built) {
        assertArrayEquals(golden, built.toBytes());
        Descriptors parsed = Descriptors.parse(golden);
        assertEquals(built, parsed);
        assertArrayEquals(golden, parsed.toBytes());
    }

    /** sourceSink(15): one vendor interface, bulk 0x81 then 0x02, at FS, HS and SS. */
    static final byte[] SOURCE_SINK = bytes(
            0x03, 0, 0, 0, // magic FUNCTIONFS_DESCRIPTORS_MAGIC_V2
            105, 0, 0, 0, // length of the whole blob
            0x07, 0, 0, 0, // flags HAS_FS_DESC | HAS_HS_DESC | HAS_SS_DESC
            3, 0, 0, 0, // fs_count
            3, 0, 0, 0, // hs_count
            5, 0, 0, 0, // ss_count (the two companions count)
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
            6, 0x30, 15, 0, 0, 0, // companion: bMaxBurst 15, no streams, wBytesPerInterval 0
            7, 5, 0x02, 2, 0x00, 0x04, 0,
            6, 0x30, 15, 0, 0, 0);

    @Test
    void sourceSink() {
        roundTrips(SOURCE_SINK, Descriptors.sourceSink(15));
    }

    @Test
    void sourceSink_burstGoesIntoBothCompanions() {
        byte[] b = Descriptors.sourceSink(3).toBytes();
        assertEquals(15, SOURCE_SINK[88], "the golden blob's first bMaxBurst is where this test looks");
        assertEquals(3, b[88], "first companion's bMaxBurst");
        assertEquals(3, b[101], "second companion's bMaxBurst");
    }

    /** The descriptors tools/usb/ffs-test.c writes: full-speed sizes left 0 for the UDC, OUT bInterval 1. */
    static final byte[] FFS_TEST = bytes(
            0x03, 0, 0, 0, // FUNCTIONFS_DESCRIPTORS_MAGIC_V2
            105, 0, 0, 0, // sizeof descriptors
            0x07, 0, 0, 0, // HAS_FS_DESC | HAS_HS_DESC | HAS_SS_DESC
            3, 0, 0, 0, // fs_count
            3, 0, 0, 0, // hs_count
            5, 0, 0, 0, // ss_count
            9, 4, 0, 0, 2, 0xff, 0, 0, 1, // fs_descs.intf: USB_CLASS_VENDOR_SPEC, iInterface 1
            7, 5, 0x81, 2, 0, 0, 0, // fs_descs.sink: 1 | USB_DIR_IN, bulk, wMaxPacketSize 0
            7, 5, 0x02, 2, 0, 0, 0, // fs_descs.source: 2 | USB_DIR_OUT
            9, 4, 0, 0, 2, 0xff, 0, 0, 1, // hs_descs.intf
            7, 5, 0x81, 2, 0x00, 0x02, 0, // hs_descs.sink: 512
            7, 5, 0x02, 2, 0x00, 0x02, 1, // hs_descs.source: 512, bInterval 1 ("NAK every 1 uframe")
            9, 4, 0, 0, 2, 0xff, 0, 0, 1, // ss_descs.intf
            7, 5, 0x81, 2, 0x00, 0x04, 0, // ss_descs.sink: 1024
            6, 0x30, 0, 0, 0, 0, // sink_comp: USB_DT_SS_EP_COMP_SIZE, bMaxBurst 0
            7, 5, 0x02, 2, 0x00, 0x04, 1, // ss_descs.source: 1024, bInterval 1
            6, 0x30, 0, 0, 0, 0); // source_comp

    @Test
    void ffsTestBlob() {
        Interface intf = Interface.vendor(0, 2, 1);
        roundTrips(FFS_TEST, Descriptors.builder()
                .fullSpeed(intf, Endpoint.bulk(0x81, 0), Endpoint.bulk(0x02, 0))
                .highSpeed(intf, Endpoint.bulk(0x81, 512), new Endpoint(0x02, 2, 512, 1))
                .superSpeed(intf, Endpoint.bulk(0x81, 1024), SsCompanion.bulk(0), new Endpoint(0x02, 2, 1024, 1),
                        SsCompanion.bulk(0))
                .build());
    }

    /**
     * FS only, ALL_CTRL_RECIP, an extended compat ID "WINUSB" and one extended property: the
     * 11-byte usb_os_desc_header (u8 interface, le32 dwLength, le16 bcdVersion, le16 wIndex,
     * u8 bCount + u8 Reserved or le16 wCount), 24-byte usb_ext_compat_desc, usb_ext_prop_desc.
     */
    static final byte[] MS_OS = bytes(
            0x03, 0, 0, 0,
            104, 0, 0, 0, // length: header 12 + counts 8 + FS 16 + ext compat 35 + ext prop 33
            0x49, 0, 0, 0, // HAS_FS_DESC | HAS_MS_OS_DESC | ALL_CTRL_RECIP
            2, 0, 0, 0, // fs_count
            2, 0, 0, 0, // os_count
            9, 4, 0, 0, 1, 0xff, 0, 0, 0, // interface 0, one endpoint, no string
            7, 5, 0x81, 3, 8, 0, 4, // interrupt IN 1, 8 bytes, bInterval 4
            // extended compat header
            0, // interface
            35, 0, 0, 0, // dwLength: 11 + 24
            0x00, 0x01, // bcdVersion 0x0100
            4, 0, // wIndex 4
            1, 0, // bCount 1, Reserved 0
            // usb_ext_compat_desc
            0, 1, // bFirstInterfaceNumber 0, Reserved1 1
            'W', 'I', 'N', 'U', 'S', 'B', 0, 0, // CompatibleID
            0, 0, 0, 0, 0, 0, 0, 0, // SubCompatibleID
            0, 0, 0, 0, 0, 0, // Reserved2
            // extended properties header
            0, // interface
            33, 0, 0, 0, // dwLength: 11 + 22
            0x00, 0x01, // bcdVersion
            5, 0, // wIndex 5
            1, 0, // wCount 1
            // usb_ext_prop_desc
            22, 0, 0, 0, // dwSize 14 + 4 + 4
            1, 0, 0, 0, // dwPropertyDataType REG_SZ
            4, 0, // wPropertyNameLength
            'A', 0, 0, 0, // "A\0" in UTF-16LE
            4, 0, 0, 0, // dwPropertyDataLength
            'B', 0, 0, 0); // "B\0"

    @Test
    void msOsExtCompatAndExtProp() {
        assertEquals(MS_OS.length, MS_OS[4] & 0xff, "the hand-written length field");
        roundTrips(MS_OS, Descriptors.builder()
                .fullSpeed(new Interface(0, 0, 1, 0xff, 0, 0, 0), Endpoint.interrupt(0x81, 8, 4))
                .msOsDescriptor(OsDescriptor.ExtCompat.of(0, "WINUSB"))
                .msOsDescriptor(new OsDescriptor.ExtProp(0, List.of(OsDescriptor.Property.unicode("A", "B"))))
                .flags(Descriptors.ALL_CTRL_RECIP)
                .build());
    }

    /** EVENTFD puts the descriptor number right after the header, before the counts. */
    @Test
    void eventFdComesBeforeTheCounts() {
        byte[] golden = bytes(
                0x03, 0, 0, 0,
                36, 0, 0, 0, // 12 + eventfd 4 + fs_count 4 + 9 + 7
                0xa1, 0, 0, 0, // HAS_FS_DESC | EVENTFD | CONFIG0_SETUP
                7, 0, 0, 0, // eventfd 7
                2, 0, 0, 0, // fs_count
                9, 4, 0, 0, 1, 0xff, 0, 0, 0,
                7, 5, 0x01, 2, 64, 0, 0); // bulk OUT 1
        roundTrips(golden, Descriptors.builder()
                .fullSpeed(Interface.vendor(0, 1, 0), Endpoint.bulk(0x01, 64))
                .eventFd(7)
                .flags(Descriptors.CONFIG0_SETUP)
                .build());
        assertEquals(7, Descriptors.parse(golden).eventFd().orElseThrow());
    }

    /** A HID interface: f_fs.c takes type 0x21 after it when it is exactly 9 bytes. */
    @Test
    void hidDescriptorAfterHidInterface() {
        byte[] golden = bytes(
                0x03, 0, 0, 0,
                43, 0, 0, 0, // 12 + fs_count 4 + interface 9 + HID 9 + endpoint 9
                0x01, 0, 0, 0, // HAS_FS_DESC
                3, 0, 0, 0, // fs_count
                9, 4, 0, 0, 1, 3, 0, 0, 0, // interface class 3 (HID)
                9, 0x21, 0x11, 0x01, 0, 1, 0x22, 0x3f, 0, // HID 1.11, one report descriptor of 63 bytes
                9, 5, 0x81, 3, 8, 0, 10, 0, 0); // interrupt IN in the 9-byte audio form, bInterval 10
        roundTrips(golden, Descriptors.builder()
                .fullSpeed(new Interface(0, 0, 1, 3, 0, 0, 0),
                        UsbDescriptor.Raw.of(0x21, 0x11, 0x01, 0, 1, 0x22, 0x3f, 0),
                        new Endpoint(0x81, 3, 8, 10, true, 0, 0))
                .build());
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
    void stringsInTwoLanguages() {
        Strings s = Strings.builder().language(0x0409, "ab", "c").language(0x0407, "d", "éf").build();
        assertArrayEquals(STRINGS, s.toBytes());
        assertEquals(s, Strings.parse(STRINGS));
        assertArrayEquals(STRINGS, Strings.parse(STRINGS).toBytes());
        assertEquals("éf", s.string(0x0407, 2).orElseThrow());
    }

    /** ffs-test.c's strings: one US-English "Source/Sink". */
    @Test
    void ffsTestStrings() {
        byte[] golden = bytes(
                0x02, 0, 0, 0,
                30, 0, 0, 0, // 16 + 2 + 12
                1, 0, 0, 0, // str_count
                1, 0, 0, 0, // lang_count
                0x09, 0x04, // en-us
                'S', 'o', 'u', 'r', 'c', 'e', '/', 'S', 'i', 'n', 'k', 0);
        assertArrayEquals(golden, Strings.en("Source/Sink").toBytes());
        assertEquals(Strings.en("Source/Sink"), Strings.parse(golden));
    }

    @Test
    void emptyStringsAreJustTheHeader() {
        byte[] golden = bytes(0x02, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        assertArrayEquals(golden, Strings.empty().toBytes());
        assertEquals(0, Strings.parse(golden).count());
    }

    @Test
    void stringsNeededIsTheHighestIndexUsed() {
        Descriptors d = Descriptors.builder()
                .fullSpeed(new UsbDescriptor.InterfaceAssociation(0, 1, 0xff, 0, 0, 3), Interface.vendor(0, 0, 2))
                .build();
        assertEquals(3, d.stringsNeeded());
        assertEquals(1, Descriptors.sourceSink().stringsNeeded());
    }
}
