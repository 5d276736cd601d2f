package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.DescriptorsGoldenTest.MS_OS;
import static dev.gadget4j.descriptor.DescriptorsGoldenTest.SOURCE_SINK;
import static dev.gadget4j.descriptor.DescriptorsGoldenTest.STRINGS;
import static dev.gadget4j.descriptor.TestBytes.bytes;
import static dev.gadget4j.descriptor.TestBytes.rejects;
import static dev.gadget4j.descriptor.TestBytes.resized;

import dev.gadget4j.Speed;
import dev.gadget4j.descriptor.UsbDescriptor.Endpoint;
import dev.gadget4j.descriptor.UsbDescriptor.Interface;
import dev.gadget4j.descriptor.UsbDescriptor.Raw;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Each blob here is a golden one with one field broken; the offsets are those of the layouts
 * commented in {@link DescriptorsGoldenTest}. Every case asserts that the message names the
 * field or rule, so a parser that fails for the wrong reason fails the test.
 */
class DescriptorsValidationTest {

    /** Parses a copy of {@code golden} changed by {@code edit} and checks the message. */
    private static void rejectsEdited(byte[] golden, Consumer<byte[]> edit, String... fragments) {
        byte[] b = golden.clone();
        edit.accept(b);
        rejects(() -> Descriptors.parse(b), fragments);
    }

    private static final Interface VENDOR = Interface.vendor(0, 1, 0);

    @Test
    void wrongMagic() {
        rejectsEdited(SOURCE_SINK, b -> b[0] = 4, "magic 4", "MAGIC_V2");
        rejectsEdited(SOURCE_SINK, b -> b[0] = 1, "legacy v1");
    }

    @Test
    void lengthFieldDisagreesWithTheBlob() {
        rejectsEdited(SOURCE_SINK, b -> b[4] = 104, "header length 104 != blob length 105");
    }

    @Test
    void shorterThanEp0Takes() {
        rejects(() -> Descriptors.parse(bytes(3, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0)), "at least 16 bytes, got 12");
    }

    @Test
    void truncatedBlob() {
        // SuperSpeed's second companion starts at offset 99; 100 bytes leave 1 of its 6.
        rejects(() -> Descriptors.parse(resized(SOURCE_SINK, 100)), "SUPER speed", "offset 99", "truncated");
    }

    @Test
    void truncatedCounts() {
        rejects(() -> Descriptors.parse(resized(SOURCE_SINK, 22)), "ss_count", "truncated");
    }

    @Test
    void unknownFlag() {
        rejectsEdited(SOURCE_SINK, b -> b[9] = 1, "unknown flags 0x100", "ENOSYS");
    }

    @Test
    void zeroCountUnderItsFlag() {
        rejectsEdited(SOURCE_SINK, b -> b[16] = 0, "hs_count is 0");
    }

    @Test
    void countLargerThanTheBlob() {
        rejectsEdited(SOURCE_SINK, b -> b[15] = 0x7f, "fs_count 2130706435");
    }

    @Test
    void countsThatSplitTheSetsWrongly() {
        // fs_count 2: the full-speed OUT endpoint becomes high speed's first descriptor and SuperSpeed's last
        // companion is left over.
        rejectsEdited(SOURCE_SINK, b -> b[12] = 2, "6 bytes left over");
        // fs_count 4 takes high speed's interface, so SuperSpeed's fifth descriptor would start past the end.
        rejectsEdited(SOURCE_SINK, b -> b[12] = 4, "SUPER speed", "descriptor 4 at offset 105",
                "truncated");
    }

    @Test
    void interfaceWithBadLength() {
        rejectsEdited(SOURCE_SINK, b -> b[24] = 8, "FULL speed", "offset 24",
                "interface descriptor has bLength 8 (9 expected)");
    }

    @Test
    void endpointWithBadLength() {
        rejectsEdited(SOURCE_SINK, b -> b[33] = 8, "FULL speed", "offset 33",
                "endpoint descriptor has bLength 8 (7 or 9 expected)");
    }

    @Test
    void bLengthTooSmallOrTooLarge() {
        rejectsEdited(SOURCE_SINK, b -> b[33] = 1, "bLength 1 is shorter than the 2-byte header");
        rejectsEdited(SOURCE_SINK, b -> b[40] = (byte) 200, "bLength 200 runs past the end");
    }

    @Test
    void endpointZero() {
        rejectsEdited(SOURCE_SINK, b -> b[35] = (byte) 0x80, "bEndpointAddress", "0x80");
    }

    @Test
    void descriptorTypesFunctionFsRefuses() {
        rejects(() -> Descriptors.builder().fullSpeed(VENDOR, Raw.of(0x24, 1, 2), Endpoint.bulk(0x81, 64)).build(),
                "FULL speed", "descriptor 1", "0x24 is not one f_fs.c accepts");
        rejects(() -> Descriptors.builder().fullSpeed(VENDOR, Raw.of(0x21, 1, 2, 3, 4, 5, 6, 7)).build(),
                "0x21 after an interface of class 0xff");
        rejects(() -> Descriptors.builder().fullSpeed(Raw.of(DescriptorType.STRING, 'a', 0), VENDOR).build(),
                "belongs to the gadget");
        rejects(() -> Descriptors.builder().fullSpeed(new Interface(0, 0, 0, 3, 0, 0, 0), Raw.of(0x21, 1, 2)).build(),
                "HID descriptor has bLength 4 (9 expected)");
    }

    @Test
    void sameEndpointTwiceInOneSpeed() {
        rejects(() -> Descriptors.builder().fullSpeed(VENDOR, Endpoint.bulk(0x81, 64), Endpoint.bulk(0x81, 64))
                .build(), "FULL speed", "0x81 is listed twice");
    }

    @Test
    void differentEndpointsPerSpeed() {
        rejects(() -> Descriptors.builder().fullSpeed(VENDOR, Endpoint.bulk(0x81, 64))
                .highSpeed(VENDOR, Endpoint.bulk(0x82, 512)).build(), "HIGH speed lists endpoints [0x82]",
                "FULL lists [0x81]");
    }

    @Test
    void differentInterfaceCountsPerSpeed() {
        rejects(() -> Descriptors.builder().fullSpeed(VENDOR)
                .highSpeed(VENDOR, Interface.vendor(1, 0, 0)).build(), "HIGH speed has 2 interfaces but FULL has 1");
    }

    @Test
    void emptyOrMissingSets() {
        rejects(() -> Descriptors.builder().build(), "at least one speed");
        rejects(() -> Descriptors.builder().fullSpeed(VENDOR).speed(Speed.HIGH, List.of()).build(),
                "HIGH speed set is empty");
    }

    @Test
    void behaviourFlagsOnly() {
        rejects(() -> Descriptors.builder().flags(Descriptors.HAS_FS_DESC), "flags may only hold", "0x1");
        rejects(() -> Descriptors.builder().eventFd(-1), "eventfd", "-1");
    }

    @Test
    void msOsDescriptorNamesAMissingInterface() {
        rejects(() -> Descriptors.builder().fullSpeed(VENDOR).msOsDescriptor(OsDescriptor.ExtCompat.of(1, "WINUSB"))
                .build(), "bFirstInterfaceNumber 1 is not one of the function's 1 interfaces");
        rejects(() -> Descriptors.builder().fullSpeed(VENDOR).msOsDescriptor(new OsDescriptor.ExtProp(2,
                List.of(OsDescriptor.Property.unicode("a", "b")))).build(), "interface 2 is not one");
    }

    // MS_OS: the extended compat header is at 36, its entry at 47, the extended properties header
    // at 71, the property at 82.

    @Test
    void msOsHeaderFields() {
        rejectsEdited(MS_OS, b -> b[41] = 1, "offset 36", "bcdVersion 0x0101");
        rejectsEdited(MS_OS, b -> {
            b[41] = 1;
            b[42] = 0;
        }, "bcdVersion 0x0001");
        rejectsEdited(MS_OS, b -> b[43] = 6, "wIndex 6");
        rejectsEdited(MS_OS, b -> b[46] = 1, "Reserved byte is 1");
        rejectsEdited(MS_OS, b -> b[37] = 34, "dwLength 34 but its entries end after 35");
        rejectsEdited(MS_OS, b -> b[37] = (byte) 200, "dwLength 200 runs past the blob");
    }

    @Test
    void msOsCompatEntryFields() {
        rejectsEdited(MS_OS, b -> b[48] = 0, "compat entry 0", "Reserved1 is 0, must be 1");
        rejectsEdited(MS_OS, b -> b[65] = 1, "Reserved2 byte 0 is not zero");
        rejectsEdited(MS_OS, b -> b[56] = 'X', "bytes after its NUL padding");
    }

    @Test
    void msOsPropertyFields() {
        rejectsEdited(MS_OS, b -> b[86] = 0, "property 0", "dwPropertyDataType must be 1..7, got 0");
        rejectsEdited(MS_OS, b -> b[96] = 5,
                "dwSize 22 != 14 + wPropertyNameLength 4 + dwPropertyDataLength 5");
        rejectsEdited(MS_OS, b -> b[90] = 20, "dwSize 22 with wPropertyNameLength 20");
        rejects(() -> OsDescriptor.Property.unicode("DeviceInterfaceGUIDs", "x".repeat(120)), "dwSize 298 exceeds 255");
        rejects(() -> new OsDescriptor.CompatId(0, "TOOLONGID", ""), "CompatibleID", "at most 8 ASCII");
    }

    @Test
    void leftoverBytes() {
        rejects(() -> Descriptors.parse(resized(SOURCE_SINK, 106)), "1 bytes left over");
    }

    @Test
    void descriptorFieldRanges() {
        rejects(() -> Endpoint.bulk(0x80, 64), "bEndpointAddress", "0x80");
        rejects(() -> Endpoint.bulk(0x91, 64), "bits 4-6 clear", "0x91");
        rejects(() -> Endpoint.bulk(0x81, 0x10000), "wMaxPacketSize must be 0..65535, got 65536");
        rejects(() -> new Endpoint(0x81, 1, 64, 1, false, 1, 0), "bRefresh 1", "audio form");
        rejects(() -> new Interface(256, 0, 0, 0, 0, 0, 0), "bInterfaceNumber must be 0..255, got 256");
        rejects(() -> UsbDescriptor.SsCompanion.bulk(16), "bMaxBurst must be 0..15, got 16");
        rejects(() -> new UsbDescriptor.InterfaceAssociation(0, 1, 0, 0, 0, -1), "iFunction must be 0..255, got -1");
        rejects(() -> new Raw(bytes(5, 0x24, 0)), "bLength 5 does not match the descriptor's 3 bytes");
    }

    // Strings

    @Test
    void stringsLanguagesWithDifferentCounts() {
        rejects(() -> Strings.builder().language(0x409, "a", "b").language(0x407, "c").build(),
                "language 0x0407 has 1 strings but 0x0409 has 2", "same number");
    }

    @Test
    void stringsWithoutTerminator() {
        rejects(() -> Strings.parse(resized(STRINGS, 30)), "string 2 of language 0x0407", "not NUL-terminated");
    }

    @Test
    void stringsHeader() {
        rejects(() -> Strings.parse(bytes(3, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), "magic 3",
                "FUNCTIONFS_STRINGS_MAGIC");
        rejects(() -> Strings.parse(bytes(2, 0, 0, 0, 17, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                "header length 17 != blob length 16");
        rejects(() -> Strings.parse(bytes(2, 0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 9, 4)),
                "str_count 0 and lang_count 1 must be both zero or both non-zero");
        rejects(() -> Strings.parse(bytes(2, 0, 0, 0, 19, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 9, 4, 0)),
                "str_count 16777216", "more than the 3 bytes left");
        rejects(() -> Strings.parse(bytes(2, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0)), "header", "truncated");
    }

    @Test
    void stringsLanguageTwice() {
        rejects(() -> Strings.builder().language(0x409, "a").language(0x409, "b"), "language 0x0409 given twice");
        rejects(() -> Strings.parse(bytes(2, 0, 0, 0, 24, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 9, 4, 'a', 0, 9, 4, 'b', 0)),
                "language 0x0409 appears twice");
    }

    @Test
    void stringsContent() {
        rejects(() -> Strings.en("a\0b"), "string 1 of language 0x0409 contains NUL");
        rejects(() -> Strings.en("\ud800"), "unpaired surrogate");
        rejects(() -> Strings.parse(bytes(2, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 4, 0xff, 0)),
                "string 1 of language 0x0409 is not valid UTF-8");
        rejects(() -> Strings.parse(resized(STRINGS, 32)), "1 bytes left over after the strings");
        rejects(() -> Strings.builder().language(0x409).build(), "language 0x0409 has no strings");
    }
}
