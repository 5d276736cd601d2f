package dev.gadget4j.descriptor;

import static dev.gadget4j.descriptor.Wire.le16;
import static dev.gadget4j.descriptor.Wire.le32;
import static dev.gadget4j.descriptor.Wire.u8;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Microsoft OS feature descriptor in a FunctionFS blob ({@code FUNCTIONFS_HAS_MS_OS_DESC}):
 * the 11-byte {@code struct usb_os_desc_header} (u8 interface, le32 dwLength, le16 bcdVersion,
 * le16 wIndex, then u8 bCount + u8 Reserved for wIndex 4 or le16 wCount for wIndex 5) followed by
 * extended compat IDs or extended properties, as f_fs.c's {@code ffs_do_os_descs} reads them.
 *
 * <p>Where the kernel is lenient this parser asks for the canonical form, so that whatever it
 * accepts is written back byte for byte: bcdVersion 0x0100 (the kernel also takes 0x0001 with a
 * warning), dwLength equal to the descriptor's size (the kernel only checks that it does not run
 * past the blob) and Reserved1 of each compat entry 1 (the kernel overwrites other values).
 */
public sealed interface OsDescriptor {
    /** The header's size. */
    int HEADER_SIZE = 11;
    /** wIndex of an extended compat ID descriptor. */
    int EXT_COMPAT = 4;
    /** wIndex of an extended properties descriptor. */
    int EXT_PROP = 5;
    /** bcdVersion 1.00. */
    int BCD_VERSION = 0x0100;

    /** The header's interface byte. */
    int interfaceNumber();

    /** The header and its entries. */
    byte[] toBytes();

    /**
     * Extended compat IDs, e.g. {@code "WINUSB"} so that Windows binds WinUSB without an INF.
     *
     * @param interfaceNumber the header's interface byte (f_fs.c does not use it for this type)
     * @param functions       one entry per interface; each bFirstInterfaceNumber must be one of
     *                        the function's interfaces
     */
    record ExtCompat(int interfaceNumber, List<CompatId> functions) implements OsDescriptor {
        /** Checks the interface byte and that bCount fits its byte. */
        public ExtCompat {
            Wire.u8("interface", interfaceNumber);
            functions = List.copyOf(functions);
            Wire.range("extended compat bCount", functions.size(), 0, 255);
        }

        /** One entry for {@code firstInterface} with this compatible ID and no sub-ID. */
        public static ExtCompat of(int firstInterface, String compatibleId) {
            return new ExtCompat(firstInterface, List.of(new CompatId(firstInterface, compatibleId, "")));
        }

        @Override
        public byte[] toBytes() {
            byte[] b = header(interfaceNumber, HEADER_SIZE + CompatId.SIZE * functions.size(), EXT_COMPAT,
                    functions.size());
            for (int i = 0; i < functions.size(); i++) {
                functions.get(i).write(b, HEADER_SIZE + CompatId.SIZE * i);
            }
            return b;
        }
    }

    /**
     * One extended compat entry ({@code struct usb_ext_compat_desc}, 24 bytes): the interface,
     * Reserved1 = 1, two 8-byte NUL-padded ASCII IDs and six zero bytes.
     *
     * @param firstInterface  bFirstInterfaceNumber, function-local
     * @param compatibleId    CompatibleID, at most 8 ASCII characters
     * @param subCompatibleId SubCompatibleID, at most 8 ASCII characters
     */
    record CompatId(int firstInterface, String compatibleId, String subCompatibleId) {
        /** The entry's size. */
        public static final int SIZE = 24;

        /** Checks the interface byte and the IDs. */
        public CompatId {
            Wire.u8("bFirstInterfaceNumber", firstInterface);
            pad8("CompatibleID", compatibleId);
            pad8("SubCompatibleID", subCompatibleId);
        }

        void write(byte[] b, int at) {
            b[at] = (byte) firstInterface;
            b[at + 1] = 1;
            System.arraycopy(pad8("CompatibleID", compatibleId), 0, b, at + 2, 8);
            System.arraycopy(pad8("SubCompatibleID", subCompatibleId), 0, b, at + 10, 8);
        }
    }

    /**
     * Extended properties of one interface (registry values Windows sets for it).
     *
     * @param interfaceNumber the function-local interface they belong to
     * @param properties      the properties, at most 65535
     */
    record ExtProp(int interfaceNumber, List<Property> properties) implements OsDescriptor {
        /** Checks the interface byte and that wCount fits. */
        public ExtProp {
            Wire.u8("interface", interfaceNumber);
            properties = List.copyOf(properties);
            Wire.u16("extended properties wCount", properties.size());
        }

        @Override
        public byte[] toBytes() {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            properties.forEach(p -> body.writeBytes(p.toBytes()));
            byte[] b = header(interfaceNumber, HEADER_SIZE + body.size(), EXT_PROP, properties.size());
            System.arraycopy(body.toByteArray(), 0, b, HEADER_SIZE, body.size());
            return b;
        }
    }

    /**
     * One extended property ({@code struct usb_ext_prop_desc}: le32 dwSize, le32
     * dwPropertyDataType, le16 wPropertyNameLength, the name, le32 dwPropertyDataLength, the data).
     *
     * <p>The whole property must fit 255 bytes: {@code __ffs_data_do_os_desc} keeps dwSize in a
     * {@code u8}, so a larger one fails its length check with EINVAL.
     *
     * @param dataType dwPropertyDataType, 1 REG_SZ ... 7 REG_MULTI_SZ
     * @param name     the name's bytes as they go on the wire (UTF-16LE, NUL-terminated, for
     *                 {@link #unicode})
     * @param data     the value's bytes as they go on the wire
     */
    record Property(int dataType, byte[] name, byte[] data) {
        /** The fixed part of dwSize: dwSize, dwPropertyDataType, wPropertyNameLength, dwPropertyDataLength. */
        public static final int FIXED_SIZE = 14;
        /** The largest dwSize f_fs.c accepts. */
        public static final int MAX_SIZE = 255;

        /** Checks the type and the size limit; copies the arrays. */
        public Property {
            Wire.range("dwPropertyDataType", dataType, 1, 7);
            if (FIXED_SIZE + name.length + data.length > MAX_SIZE) {
                throw new IllegalArgumentException("extended property dwSize " + (FIXED_SIZE + name.length + data.length)
                        + " exceeds " + MAX_SIZE + ": f_fs.c keeps dwSize in a u8");
            }
            name = name.clone();
            data = data.clone();
        }

        /** A REG_SZ property: name and value as NUL-terminated UTF-16LE. */
        public static Property unicode(String name, String value) {
            return new Property(1, utf16z(name), utf16z(value));
        }

        /** A copy of the name's bytes. */
        @Override
        public byte[] name() {
            return name.clone();
        }

        /** A copy of the value's bytes. */
        @Override
        public byte[] data() {
            return data.clone();
        }

        byte[] toBytes() {
            int size = FIXED_SIZE + name.length + data.length;
            byte[] b = new byte[size];
            Wire.putLe32(b, 0, size);
            Wire.putLe32(b, 4, dataType);
            Wire.putLe16(b, 8, name.length);
            System.arraycopy(name, 0, b, 10, name.length);
            Wire.putLe32(b, 10 + name.length, data.length);
            System.arraycopy(data, 0, b, FIXED_SIZE + name.length, data.length);
            return b;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Property p && p.dataType == dataType && Arrays.equals(p.name, name)
                    && Arrays.equals(p.data, data);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * dataType + Arrays.hashCode(name)) + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Property[type=" + dataType + ", name=" + Arrays.toString(name) + ", data=" + Arrays.toString(data)
                    + "]";
        }
    }

    private static byte[] utf16z(String s) {
        return (s + "\0").getBytes(StandardCharsets.UTF_16LE);
    }

    private static byte[] pad8(String field, String id) {
        byte[] a = id.getBytes(StandardCharsets.US_ASCII);
        if (a.length > 8 || !id.chars().allMatch(c -> c > 0 && c < 0x80)) {
            throw new IllegalArgumentException(field + " must be at most 8 ASCII characters without NUL, got \""
                    + id + "\"");
        }
        return Arrays.copyOf(a, 8);
    }

    private static byte[] header(int iface, int length, int index, int count) {
        byte[] b = new byte[length];
        b[0] = (byte) iface;
        Wire.putLe32(b, 1, length);
        Wire.putLe16(b, 5, BCD_VERSION);
        Wire.putLe16(b, 7, index);
        Wire.putLe16(b, 9, count);
        return b;
    }

    /** Parses the OS descriptor at {@code offset[0]} and advances it past it. */
    static OsDescriptor parse(byte[] blob, int[] offset) {
        int start = offset[0];
        String where = "MS OS descriptor at offset " + start;
        Wire.need(blob, start, HEADER_SIZE, where + " header");
        int iface = u8(blob, start);
        long length = le32(blob, start + 1);
        int bcd = le16(blob, start + 5);
        int index = le16(blob, start + 7);
        int count = le16(blob, start + 9);
        if (length > blob.length - start) {
            throw new IllegalArgumentException(where + ": dwLength " + length + " runs past the blob ("
                    + (blob.length - start) + " bytes left)");
        }
        if (bcd != BCD_VERSION) {
            throw new IllegalArgumentException(where + ": bcdVersion " + String.format("0x%04x", bcd)
                    + " (0x0100 expected)");
        }
        int pos = start + HEADER_SIZE;
        OsDescriptor d;
        if (index == EXT_COMPAT) {
            if (count > 255) {
                throw new IllegalArgumentException(where + ": extended compat Reserved byte is " + (count >> 8)
                        + ", must be 0");
            }
            List<CompatId> f = new ArrayList<>();
            for (int i = 0; i < count; i++, pos += CompatId.SIZE) {
                f.add(parseCompatId(blob, pos, where + ", compat entry " + i));
            }
            d = new ExtCompat(iface, f);
        } else if (index == EXT_PROP) {
            List<Property> p = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                p.add(parseProperty(blob, pos, where + ", property " + i));
                pos += (int) le32(blob, pos);
            }
            d = new ExtProp(iface, p);
        } else {
            throw new IllegalArgumentException(where + ": wIndex " + index + " (4 extended compat or 5 extended"
                    + " properties expected)");
        }
        if (length != pos - start) {
            throw new IllegalArgumentException(where + ": dwLength " + length + " but its entries end after "
                    + (pos - start) + " bytes");
        }
        offset[0] = pos;
        return d;
    }

    private static CompatId parseCompatId(byte[] blob, int pos, String where) {
        Wire.need(blob, pos, CompatId.SIZE, where);
        if (blob[pos + 1] != 1) {
            throw new IllegalArgumentException(where + ": Reserved1 is " + u8(blob, pos + 1) + ", must be 1");
        }
        for (int r = 18; r < CompatId.SIZE; r++) {
            if (blob[pos + r] != 0) {
                throw new IllegalArgumentException(where + ": Reserved2 byte " + (r - 18) + " is not zero");
            }
        }
        return new CompatId(u8(blob, pos), id(blob, pos + 2, where), id(blob, pos + 10, where));
    }

    private static Property parseProperty(byte[] blob, int pos, String where) {
        Wire.need(blob, pos, 10, where);
        long size = le32(blob, pos);
        int nameLength = le16(blob, pos + 8);
        if (size > blob.length - pos || size < Property.FIXED_SIZE + nameLength) {
            throw new IllegalArgumentException(where + ": dwSize " + size + " with wPropertyNameLength " + nameLength
                    + " does not fit the " + (blob.length - pos) + " bytes left");
        }
        long dataLength = le32(blob, pos + 10 + nameLength);
        if (size != Property.FIXED_SIZE + nameLength + dataLength) {
            throw new IllegalArgumentException(where + ": dwSize " + size + " != 14 + wPropertyNameLength "
                    + nameLength + " + dwPropertyDataLength " + dataLength);
        }
        long type = le32(blob, pos + 4);
        try {
            return new Property((int) Math.min(type, Integer.MAX_VALUE),
                    Arrays.copyOfRange(blob, pos + 10, pos + 10 + nameLength),
                    Arrays.copyOfRange(blob, pos + Property.FIXED_SIZE + nameLength, pos + (int) size));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
    }

    /** An 8-byte NUL-padded ID; bytes after the first NUL must be NUL too, or they would be lost. */
    private static String id(byte[] b, int at, String where) {
        int end = at;
        while (end < at + 8 && b[end] != 0) {
            end++;
        }
        for (int i = end; i < at + 8; i++) {
            if (b[i] != 0) {
                throw new IllegalArgumentException(where + ": compatible ID has bytes after its NUL padding");
            }
        }
        String s = new String(b, at, end - at, StandardCharsets.ISO_8859_1);
        if (!s.chars().allMatch(c -> c < 0x80)) {
            throw new IllegalArgumentException(where + ": compatible ID \"" + s + "\" is not ASCII");
        }
        return s;
    }
}
