package dev.gadget4j.descriptor;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A Microsoft OS descriptor in a FunctionFS blob ({@code FUNCTIONFS_HAS_MS_OS_DESC}): an 11-byte
 * {@code usb_os_desc_header} followed by extended compat IDs (wIndex 4) or extended properties
 * (wIndex 5), as f_fs.c's {@code ffs_do_os_descs} reads them.
 */
public sealed interface OsDescriptor {

    /** The header's interface byte. */
    int interfaceNumber();

    byte[] toBytes();

    /**
     * Extended compat IDs, e.g. {@code "WINUSB"} so that Windows binds WinUSB without an INF.
     *
     * @param interfaceNumber the header's interface byte
     * @param functions       one entry per interface
     */
    record ExtCompat(int interfaceNumber, List<CompatId> functions) implements OsDescriptor {
        public ExtCompat {
            functions = List.copyOf(functions);
            if (functions.size() > 255) {
                throw new IllegalArgumentException("at most 255 extended compat entries, got " + functions.size());
            }
        }

        @Override
        public byte[] toBytes() {
            ByteBuffer b = header(interfaceNumber, 11 + 24 * functions.size(), 4, functions.size());
            for (CompatId f : functions) {
                b.put((byte) f.firstInterface()).put((byte) 1).put(pad8(f.compatibleId())).put(pad8(f.subCompatibleId()))
                        .put(new byte[6]);
            }
            return b.array();
        }
    }

    /** One extended compat entry (24 bytes; Reserved1 is always 1, as the spec says). */
    record CompatId(int firstInterface, String compatibleId, String subCompatibleId) {
        public CompatId {
            if (firstInterface < 0 || firstInterface > 255) {
                throw new IllegalArgumentException("bFirstInterfaceNumber must be 0..255, got " + firstInterface);
            }
            pad8(compatibleId);
            pad8(subCompatibleId);
        }
    }

    /**
     * Extended properties of one interface (registry values Windows sets for the device).
     *
     * @param interfaceNumber the interface they belong to
     */
    record ExtProp(int interfaceNumber, List<Property> properties) implements OsDescriptor {
        public ExtProp {
            properties = List.copyOf(properties);
        }

        @Override
        public byte[] toBytes() {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (Property p : properties) {
                body.writeBytes(p.toBytes());
            }
            ByteBuffer b = header(interfaceNumber, 11 + body.size(), 5, properties.size());
            b.put(body.toByteArray());
            return b.array();
        }
    }

    /**
     * One extended property ({@code usb_ext_prop_desc}: dwSize, dwPropertyDataType,
     * wPropertyNameLength, the name, dwPropertyDataLength, the data).
     *
     * @param dataType 1 REG_SZ ... 7 REG_MULTI_SZ
     * @param name     the name's bytes as FunctionFS expects them (UTF-16LE, NUL-terminated, for
     *                 {@link #unicode})
     */
    record Property(int dataType, byte[] name, byte[] data) {
        public Property {
            if (dataType < 1 || dataType > 7) {
                throw new IllegalArgumentException("dwPropertyDataType must be 1..7, got " + dataType);
            }
            if (name.length > 0xffff) {
                throw new IllegalArgumentException("property name too long: " + name.length);
            }
            name = name.clone();
            data = data.clone();
        }

        /** A REG_SZ property: name and value as NUL-terminated UTF-16LE. */
        public static Property unicode(String name, String value) {
            return new Property(1, utf16z(name), utf16z(value));
        }

        @Override
        public byte[] name() {
            return name.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        byte[] toBytes() {
            int size = 14 + name.length + data.length;
            return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN).putInt(size).putInt(dataType)
                    .putShort((short) name.length).put(name).putInt(data.length).put(data).array();
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
            return "Property[type=" + dataType + ", " + name.length + "-byte name, " + data.length + "-byte data]";
        }
    }

    private static byte[] utf16z(String s) {
        return (s + "\0").getBytes(StandardCharsets.UTF_16LE);
    }

    private static byte[] pad8(String id) {
        byte[] a = id.getBytes(StandardCharsets.US_ASCII);
        if (a.length > 8) {
            throw new IllegalArgumentException("compatible IDs are at most 8 ASCII characters: " + id);
        }
        return Arrays.copyOf(a, 8);
    }

    private static ByteBuffer header(int iface, int length, int index, int count) {
        if (iface < 0 || iface > 255) {
            throw new IllegalArgumentException("interface must be 0..255, got " + iface);
        }
        return ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN).put((byte) iface).putInt(length)
                .putShort((short) 0x0100).putShort((short) index).putShort((short) count);
    }

    /** Parses one OS descriptor at {@code offset[0]} and advances it. */
    static OsDescriptor parse(byte[] blob, int[] offset) {
        ByteBuffer b = ByteBuffer.wrap(blob).order(ByteOrder.LITTLE_ENDIAN);
        int pos = offset[0];
        if (blob.length - pos < 11) {
            throw new IllegalArgumentException("MS OS descriptor header at offset " + pos + " is truncated");
        }
        int iface = blob[pos] & 0xff;
        long length = Integer.toUnsignedLong(b.getInt(pos + 1));
        int bcd = b.getShort(pos + 5) & 0xffff;
        int index = b.getShort(pos + 7) & 0xffff;
        int count = b.getShort(pos + 9) & 0xffff;
        if (length > blob.length - pos) {
            throw new IllegalArgumentException("MS OS descriptor at offset " + pos + ": dwLength " + length
                    + " runs past the blob");
        }
        if (bcd != 0x0100) {
            throw new IllegalArgumentException("MS OS descriptor at offset " + pos + ": bcdVersion 0x"
                    + Integer.toHexString(bcd) + " (0x0100 expected)");
        }
        pos += 11;
        OsDescriptor d;
        if (index == 4) {
            if (count > 255) {
                throw new IllegalArgumentException("MS OS extended compat: bCount " + count + " with Reserved set");
            }
            List<CompatId> f = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (blob.length - pos < 24) {
                    throw new IllegalArgumentException("MS OS extended compat entry " + i + " is truncated");
                }
                for (int r = 18; r < 24; r++) {
                    if (blob[pos + r] != 0) {
                        throw new IllegalArgumentException("MS OS extended compat entry " + i + ": Reserved2 is not zero");
                    }
                }
                f.add(new CompatId(blob[pos] & 0xff, ascii(blob, pos + 2), ascii(blob, pos + 10)));
                pos += 24;
            }
            d = new ExtCompat(iface, f);
        } else if (index == 5) {
            List<Property> p = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (blob.length - pos < 14) {
                    throw new IllegalArgumentException("MS OS extended property " + i + " is truncated");
                }
                int size = b.getInt(pos);
                int type = b.getInt(pos + 4);
                int nameLength = b.getShort(pos + 8) & 0xffff;
                if (size < 14 + nameLength || size > blob.length - pos) {
                    throw new IllegalArgumentException("MS OS extended property " + i + ": bad dwSize " + size);
                }
                int dataLength = b.getInt(pos + 10 + nameLength);
                if (size != 14 + nameLength + dataLength) {
                    throw new IllegalArgumentException("MS OS extended property " + i + ": dwSize " + size
                            + " != 14 + name " + nameLength + " + data " + dataLength);
                }
                p.add(new Property(type, Arrays.copyOfRange(blob, pos + 10, pos + 10 + nameLength),
                        Arrays.copyOfRange(blob, pos + 14 + nameLength, pos + size)));
                pos += size;
            }
            d = new ExtProp(iface, p);
        } else {
            throw new IllegalArgumentException("MS OS descriptor at offset " + offset[0] + ": wIndex " + index
                    + " (4 or 5 expected)");
        }
        offset[0] = pos;
        return d;
    }

    private static String ascii(byte[] b, int at) {
        int end = at;
        while (end < at + 8 && b[end] != 0) {
            end++;
        }
        return new String(b, at, end - at, StandardCharsets.US_ASCII);
    }
}
